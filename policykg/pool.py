"""Work on all cores behind a cache: what the per-file step (policykg/perfile.py) and the per-source step
(policykg/persource.py) share."""

from __future__ import annotations

import gc
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from policykg.build import Pipeline

Item = TypeVar("Item")
Result = TypeVar("Result")


def cached_map(items: Sequence[Item], cached: Callable[[Item], Result | None], known: Sequence[bool],
               here: Callable[[Item], Result], there: Callable[[Item], Result], *, processes: int,
               initializer: Callable[[], None], made: Callable[[Item, Result], None],
               chunksize: int = 1) -> Iterator[Result]:
    """Each item's result, in item order: the cached one (read when its turn comes, so a thousand cached results
    are never in memory together; `known` says which are there), else made — by `here` in this process, or by
    `there` (a module-level function, in workers started with `initializer`) on `processes` processes; `made` sees
    each new one (to cache it). A cached entry that cannot be read after all is made here."""
    todo = [item for item, there_already in zip(items, known, strict=True) if not there_already]
    # The corpus already read is never garbage: its millions of objects left out of every collection, here and in
    # the forked workers (whose collections also wrote into the pages they share with this process), cut a source
    # job at a thousand documents from 227 to 168 ms in one process.
    gc.freeze()
    pool = ProcessPoolExecutor(max_workers=processes, initializer=initializer) if processes > 1 and len(todo) > 1 \
        else None
    fresh = pool.map(there, todo, chunksize=chunksize) if pool is not None else (here(item) for item in todo)
    try:
        for item, there_already in zip(items, known, strict=True):
            result = cached(item) if there_already else None
            if result is None:
                result = next(fresh) if not there_already else here(item)
                made(item, result)
            yield result
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        gc.unfreeze()


_WORKER: dict[str, Any] = {}  # a worker process's own Pipeline, loaded once when the worker starts


def init_worker() -> None:
    from policykg.build import Pipeline

    _WORKER["pipeline"] = Pipeline.load()


def worker_pipeline() -> Pipeline:
    return _WORKER["pipeline"]  # type: ignore[no-any-return]


def write_pickle(path: Path, value: object) -> None:
    """A cache entry written whole under a temporary name, then renamed: a reader never sees half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)
