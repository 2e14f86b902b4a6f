"""Files that hold keys, names, case data or cursors: created owner-only (0600), never overwritten by accident."""

from __future__ import annotations

import os


def write_new(path: str | os.PathLike[str], content: str) -> None:
    """Creates `path` readable and writable by the owner alone; FileExistsError if it exists (a key is never
    overwritten)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())


def replace(path: str | os.PathLike[str], content: str) -> None:
    """Replaces `path` whole, so that a reader or a crash sees the old content or the new, never half: a new owner-only
    temporary file, written and fsynced, renamed over `path`, then the directory fsynced so the rename lasts."""
    path = os.fspath(path)
    temporary = path + ".tmp"
    try:
        # A temporary left by a crash may have been widened since: only a new file gets our mode.
        os.unlink(temporary)
    except FileNotFoundError:
        pass
    write_new(temporary, content)
    os.replace(temporary, path)
    directory = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
