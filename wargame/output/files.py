"""Writing result files so that a reader never sees half of one: write a temporary sibling, then rename.

An interrupted or failed write leaves the earlier file (or none), never a truncated one; an OSError
becomes a WargameError naming the file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from wargame.core.errors import WargameError


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call `write(temporary_path)` and rename the result onto `path`."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
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
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | Path, text: str) -> Path:
    return write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_csv_atomic(path: str | Path, frame) -> Path:
    return write_atomic(path, lambda p: frame.to_csv(p, index=False))
