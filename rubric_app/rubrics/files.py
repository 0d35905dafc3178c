"""Reading a rubric or resource file from disk: only regular files, size checked before reading.

A path in ``rubrics/`` is whatever someone put there: a directory named ``x.yaml``, a dangling
symlink, a FIFO (opening one for reading blocks until a writer appears), a link to
``/dev/zero`` (endless), a huge file. ``read_source`` stats the path first and opens it only
when it is a regular file no larger than ``MAX_BYTES``; every other case is a coded
:class:`RubricError` naming the file, never a traceback or a hang.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import ErrorCode, RubricError, RubricLoadError
from .yaml_nodes import MAX_BYTES

#: What a non-regular file is, for the message.
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind_of(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _fail(code: ErrorCode, message: str, path: Path) -> RubricLoadError:
    return RubricLoadError([RubricError(code, message, str(path), None, "")])


def _check_stat(mode: int, size: int, path: Path) -> None:
    """Raise unless ``mode`` is a regular file of at most MAX_BYTES."""
    if not stat.S_ISREG(mode):
        target = " (the link points at it)" if path.is_symlink() else ""
        raise _fail(
            "not-regular-file",
            f"this is {_kind_of(mode)}{target}, not a regular file; put a rubric file here",
            path,
        )
    if size > MAX_BYTES:
        raise _fail(
            "file-too-large",
            f"the file is {size:,} bytes; the limit is {MAX_BYTES:,} (1 MiB)",
            path,
        )


def _stat(path: Path) -> os.stat_result:
    try:
        return os.stat(path)
    except FileNotFoundError:
        if path.is_symlink():
            target = os.readlink(path)
            raise _fail(
                "dangling-link",
                f"this symbolic link points at {target}, which does not exist",
                path,
            ) from None
        raise _fail("missing-file", "no such file or directory", path) from None
    except OSError as exc:
        # A symlink loop (ELOOP), a path through a non-directory (ENOTDIR), no permission.
        raise _fail("unreadable-file", f"cannot read the file: {exc.strerror}", path) from None


def read_source(path: Path) -> bytes:
    """The bytes of ``path``; raise RubricLoadError (file-level, no line) if it is not readable.

    The path is stat'ed before it is opened, and opened with ``O_NONBLOCK`` so a FIFO swapped in
    between the two can never block; the opened descriptor is stat'ed again for the same reason.
    At most ``MAX_BYTES + 1`` bytes are read, so a file that grows meanwhile cannot exhaust
    memory.
    """
    info = _stat(path)
    _check_stat(info.st_mode, info.st_size, path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        code: ErrorCode = "dangling-link" if exc.errno == errno.ENOENT else "unreadable-file"
        raise _fail(code, f"cannot open the file: {exc.strerror}", path) from None
    try:
        opened = os.fstat(descriptor)
        _check_stat(opened.st_mode, opened.st_size, path)
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _fail("unreadable-file", f"cannot read the file: {exc.strerror}", path) from None
    finally:
        os.close(descriptor)
    if len(data) > MAX_BYTES:
        raise _fail("file-too-large", f"the file is over {MAX_BYTES:,} bytes (1 MiB)", path)
    return data
