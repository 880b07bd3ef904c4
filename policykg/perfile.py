"""Per-file work as a pure function, so it can be cached, run on all cores, or mapped by an outside engine.

`extract_file` takes a path to what the text stages make of it (source text, documents with their metadata, issues,
and the agencies it resolved) and depends on nothing but the file and the pipeline's rules: the resolver's shared
registry is emptied per file (`Resolver.take_agencies`) and the results merged in corpus order (`Resolver.adopt`),
which gives what reading the files one after another gave. Results are cached by the file's bytes and everything
the pipeline reads (code and data files), in a folder beside the output folder.
"""

from __future__ import annotations

import hashlib
import pickle
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from policykg.graph.model import Agency, BuildIssue, Document, SourceText
from policykg.graph.read import ReadError, long_line_warning, read_source
from policykg.isolate import one_line
from policykg.pool import cached_map, init_worker, worker_pipeline, write_pickle

if TYPE_CHECKING:
    from policykg.build import Pipeline
    from policykg.graph.metadata import DocumentMeta


@dataclass
class FileResult:
    """What one file gave: its source and documents (None when it could not be read or processed)."""

    name: str
    source: SourceText | None = None
    made: list[tuple[Document, DocumentMeta]] = field(default_factory=list)
    issues: list[BuildIssue] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    cacheable: bool = True  # a file that could not be read is tried again next time


def extract_file(path: Path, pipeline: Pipeline, max_file_size: int) -> FileResult:
    """read → normalize → … → resolve for one file; one bad file is its own error, never the corpus's."""
    from policykg.document import issue_of, make_document, source_articles

    result = FileResult(path.name)
    try:
        raw = read_source(path, max_file_size)
    except ReadError as exc:
        result.issues.append(BuildIssue(path.name, exc.problem, "error"))
        result.cacheable = False
        return result
    if (warning := long_line_warning(raw.raw)) is not None:
        result.issues.append(BuildIssue(path.name, warning))
    result.issues.extend(BuildIssue(path.name, message) for message in raw.warnings)
    pipeline.resolver.take_agencies()  # nothing from an earlier file leaks into this one
    try:
        source, articles, warnings = source_articles(raw.file_name, raw.raw, raw.sha256, pipeline, raw)
        result.issues.extend(issue_of(source, note) for note in warnings)
        result.made = [make_document(a, pipeline, result.issues) for a in articles]
    except Exception as exc:  # one bad document must not stop the corpus
        result.issues.append(BuildIssue(path.name, f"无法处理：{one_line(exc)}", "error"))
        result.made = []
        pipeline.resolver.take_agencies()  # what the file resolved before it failed is dropped with it
        return result
    if not result.made:
        result.issues.append(BuildIssue(path.name, "文件中没有找到文件正文"))
    result.source = source
    result.agencies = pipeline.resolver.take_agencies()
    return result


#: the packages whose code and data files can change what a file gives (the readers of each format included)
PIPELINE_PACKAGES = ("policykg", "policykg.graph", "policykg.graph.readers", "policykg.graph.data", "policykg.ontology")


def pipeline_digest() -> str:
    """Everything that can change what a file gives: the package's code and data files (rules, lexicon, ontology)."""
    digest = hashlib.sha256()
    for package in PIPELINE_PACKAGES:
        folder = resources.files(package)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.is_file() and entry.name.endswith((".py", ".toml", ".csv", ".json", ".tsv", ".ttl")):
                digest.update(entry.name.encode())
                digest.update(entry.read_bytes())
    return digest.hexdigest()


class ExtractCache:
    """Pickled FileResults keyed by file bytes and pipeline digest; a damaged entry is extracted again."""

    def __init__(self, folder: Path, max_file_size: int) -> None:
        self.folder = folder
        self._salt = f"{pipeline_digest()}/{max_file_size}".encode()
        self._max_file_size = max_file_size
        self.hits = self.misses = 0

    def _path(self, path: Path) -> Path | None:
        """The cache entry of a regular file within the size limit; None for anything else (a FIFO would block the
        read, a huge file is refused by `read_source` anyway), which is then simply read and not cached."""
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > self._max_file_size:
                return None
            data = path.read_bytes()
        except OSError:
            return None
        digest = hashlib.sha256(self._salt + b"\0" + path.name.encode() + b"\0" + data).hexdigest()
        return self.folder / f"{digest}.pickle"

    def get(self, path: Path) -> FileResult | None:
        entry = self._path(path)
        try:
            result = pickle.loads(entry.read_bytes()) if entry is not None else None
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            result = None
        if isinstance(result, FileResult):
            self.hits += 1
            return result
        self.misses += 1
        return None

    def put(self, path: Path, result: FileResult) -> None:
        entry = self._path(path)
        if entry is None or not result.cacheable:
            return
        write_pickle(entry, result)


def _work(job: tuple[Path, int]) -> FileResult:
    return extract_file(job[0], worker_pipeline(), job[1])


def extract_all(paths: list[Path], pipeline: Pipeline, *, max_file_size: int, jobs: int = 1,
                cache: ExtractCache | None = None,
                progress: Callable[[str, int, int], None] | None = None) -> Iterator[FileResult]:
    """Every file's result, in `paths` order: from the cache, else extracted (on `jobs` processes when > 1)."""
    cached = [cache.get(p) if cache is not None else None for p in paths]  # small: read them all first
    jobs_in = [(p, max_file_size) for p in paths]
    by_job = dict(zip(jobs_in, cached, strict=True))

    def made(job: tuple[Path, int], result: FileResult) -> None:
        if cache is not None:
            cache.put(job[0], result)

    results = cached_map(jobs_in, by_job.get, [c is not None for c in cached],
                         lambda job: extract_file(job[0], pipeline, job[1]), _work,
                         processes=jobs, initializer=init_worker, made=made,
                         chunksize=max(1, len(paths) // (jobs * 8)))
    for n, (path, result) in enumerate(zip(paths, results, strict=True), start=1):
        if progress:
            progress(path.name, n, len(paths))
        yield result
