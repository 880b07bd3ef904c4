"""Swap a finished build into place with no moment without `out/`, and clean up after builds that were killed.

On Linux `renameat2(RENAME_EXCHANGE)` exchanges the staging folder and `out/` in one step: a reader sees the old
outputs or the new ones, and a kill at any point leaves a complete `out/`. Elsewhere (or on a file system without
it) `out/` is renamed aside and the staging folder renamed into its place; a kill between those two renames leaves
no `out/`, which the next build puts back from the folder set aside.

Every build starts with `recover`: a missing `out/` is restored from the newest `out.previous-PID`, and the
`out.partial-PID`, `out.previous-PID` and `out.serving-PID-N` folders of processes that are gone are removed.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import sys
from pathlib import Path

RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_LEFTOVER = re.compile(r"\.(partial|previous|serving)-(\d+)(?:-.*)?$")


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths (Linux renameat2); False where the system cannot, nothing changed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2  # glibc 2.28+
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # an old kernel or a file system without exchange: use the fallback
    raise OSError(code, os.strerror(code), str(b))


def swap_in(staging: Path, out: Path) -> None:
    """Replace `out` with `staging` so readers see either the old or the new outputs, never a mix or nothing."""
    previous = out.with_name(f"{out.name}.previous-{os.getpid()}")
    if not out.exists() and not out.is_symlink():
        os.replace(staging, out)
        return
    if exchange(staging, out):
        os.replace(staging, previous)  # the old outputs, now under the staging name: say what they are
    else:
        os.replace(out, previous)
        os.replace(staging, out)
    shutil.rmtree(previous, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def leftovers(out: Path) -> list[tuple[str, int, Path]]:
    """(kind, pid, path) of every staging, set-aside or served-snapshot folder beside `out`."""
    found = []
    if not out.parent.is_dir():
        return found
    for entry in out.parent.iterdir():
        if not entry.name.startswith(f"{out.name}."):
            continue
        match = _LEFTOVER.fullmatch(entry.name[len(out.name):])
        if match:
            found.append((match[1], int(match[2]), entry))
    return sorted(found, key=lambda item: item[2].name)


def recover(out: Path) -> list[str]:
    """Undo what a killed build (or serve) left behind; returns what was done, one line each, in Chinese."""
    done: list[str] = []
    stale = [(kind, path) for kind, pid, path in leftovers(out) if not _alive(pid)]
    if not out.exists() and not out.is_symlink():
        kept = [path for kind, path in stale if kind == "previous" and path.is_dir()]
        if kept:
            newest = max(kept, key=lambda p: p.stat().st_mtime)
            os.replace(newest, out)
            done.append(f"上次构建中断时 {out.name}/ 不在原处：已从 {newest.name} 恢复")
            stale = [(kind, path) for kind, path in stale if path != newest]
    for _, path in stale:
        shutil.rmtree(path, ignore_errors=True)
        done.append(f"已删除中断的进程留下的 {path.name}")
    return done
