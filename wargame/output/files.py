"""Writing result files so that a reader never sees half of one: write a temporary sibling, then rename.

An interrupted or failed write leaves the earlier file (or none), never a truncated one; an OSError
becomes a WargameError naming the file. A writer killed outright (kill -9, a power cut) cannot remove
its temporary file, `.<name>.<pid>-<random>.partial`: the next write into the same directory removes
every such leftover whose writing process is gone.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from wargame.core.errors import WargameError

PARTIAL = ".partial"
# .<name>.<pid>-<mkstemp's 8 characters>.partial; without the pid: written before the pid was in the name
_TEMPORARY = re.compile(r"^\..+\.(?:(\d+)-)?[a-z0-9_]{8}\.partial$")
STALE_AFTER = 24 * 3600      # where a process cannot be asked whether it lives (not POSIX): a day
_writing: set[Path] = set()  # this process's temporaries being written now (threads may write side by side)
_lock = threading.Lock()


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call `write(temporary_path)` and rename the result onto `path`."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock:                                    # made and registered at once: never taken for stale
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}-", suffix=PARTIAL)
            _writing.add(Path(name))
        os.close(handle)
    except OSError as exc:
        raise WargameError(f"{path}: cannot write there ({exc.strerror})") from None
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, 0o666 & ~_umask())            # mkstemp makes it private; results are for sharing
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise WargameError(f"{path}: writing failed ({exc.strerror or exc})") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        with _lock:
            _writing.discard(temporary)
    remove_stale_partials(path.parent)
    return path


def remove_stale_partials(directory: str | Path) -> list[Path]:
    """Remove the temporary files that killed writers left in `directory` (not those being written now, by
    this process or another living one). Returns what was removed."""
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        path = Path(entry.path)
        with _lock:
            if path in _writing:
                continue
        if match.group(1) is not None and _writer_alive(int(match.group(1)), entry):
            continue
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            pass
    return removed


def _writer_alive(pid: int, entry: os.DirEntry) -> bool:
    if pid == os.getpid():
        return False                                       # ours, and not being written: left by an earlier failure
    if os.name != "posix":                                 # no safe way to ask; a day-old temporary is stale
        try:
            return time.time() - entry.stat().st_mtime < STALE_AFTER
        except OSError:
            return False
    try:
        os.kill(pid, 0)                                    # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | Path, text: str) -> Path:
    return write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_csv_atomic(path: str | Path, frame) -> Path:
    return write_atomic(path, lambda p: frame.to_csv(p, index=False))
