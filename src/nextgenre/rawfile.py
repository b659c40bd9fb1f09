"""The one place where raw input files are opened: OS failures become RawDataError, and the
bytes read are capped.

- `check_file(path)`: the path must name a regular file that can be read. A folder, a FIFO or
  device (e.g. /dev/zero), a symlink loop, a name too long, missing permission: each stops with
  one RawDataError naming the path, never an OSError traceback.
- `open_raw(path, max_bytes)`: the file's content as a binary stream, gzip decompressed when the
  file is gzip (recognised by its first bytes, whatever its name), that stops with a
  RawDataError once more than `max_bytes` bytes (after decompression) have been read: a small
  compressed file cannot expand past the cap and exhaust memory.
- `capped(stream, path, max_bytes)`: the cap alone, for any binary stream (an archive member).
The caps come from params.yaml (`data.max_file_mib`, `data.max_rows`); `Limits` holds them.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from nextgenre.errors import RawDataError

MIB = 2**20
# Defaults of data.max_file_mib and data.max_rows in params.yaml (keep both in step; a test
# checks): far above the paper's data (6,752 users, about 75,000 sessions: tens of MB), low
# enough for a 24 GiB machine: a file at the byte cap takes about 3.3 times its size in memory
# (measured: a 512 MiB field, 1.65 GiB peak).
MAX_FILE_MIB = 1024
MAX_ROWS = 10_000_000

GZIP_MAGIC = b"\x1f\x8b"

_OS_PROBLEMS = {  # errno -> what the user reads
    errno.ENOENT: "missing file",
    errno.EACCES: "cannot be read (permission denied)",
    errno.EPERM: "cannot be read (operation not permitted)",
    errno.ELOOP: "a symbolic link loop (the link points back at itself)",
    errno.ENAMETOOLONG: "a name in the path is too long (at most 255 bytes per folder or file name)",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "a folder, not a file",
}


@dataclass(frozen=True)
class Limits:
    """Caps on one raw file: bytes after decompression, and data rows."""

    max_bytes: int = MAX_FILE_MIB * MIB
    max_rows: int = MAX_ROWS

    @classmethod
    def from_params(cls, data: dict) -> Limits:
        return cls(max_bytes=data["max_file_mib"] * MIB, max_rows=data["max_rows"])


def os_problem(path: str | os.PathLike, exc: OSError) -> RawDataError:
    """A RawDataError naming `path` for an OS-level failure (no OS text that could quote data)."""
    problem = _OS_PROBLEMS.get(exc.errno, f"cannot be read ({exc.strerror or type(exc).__name__})")
    return RawDataError(path, None, None, problem)


def entry_exists(path: str | os.PathLike) -> bool:
    """Whether a folder entry of that name exists (a broken or looping link counts); an OS
    failure other than "not there" (permission, name too long) is a RawDataError."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        raise os_problem(path, exc) from None
    return True


def check_folder(path: str | os.PathLike) -> None:
    """`path` must be a folder whose entries can be looked up."""
    try:
        st = os.stat(path)
        if not stat.S_ISDIR(st.st_mode):
            raise RawDataError(path, None, None, "not a folder (data.raw must name a folder)")
        os.listdir(path)
    except FileNotFoundError:
        raise RawDataError(path, None, None, "folder not found (a broken link?)") from None
    except OSError as exc:
        raise os_problem(path, exc) from None


def check_file(path: str | os.PathLike) -> os.stat_result:
    """`path` must be a regular file (symbolic links followed); its stat."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise os_problem(path, exc) from None
    if stat.S_ISDIR(st.st_mode):
        raise RawDataError(path, None, None, "a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise RawDataError(path, None, None, "not a regular file (a FIFO, device or socket)")
    return st


class _Capped(io.RawIOBase):
    """A binary stream that fails once more than `max_bytes` bytes have come through."""

    def __init__(self, stream: BinaryIO, path, max_bytes: int, setting: str):
        self._stream, self._path, self._max, self._read = stream, path, max_bytes, 0
        self._setting = setting

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(min(len(buffer), self._max + 1 - self._read))
        self._read += len(data)
        if self._read > self._max:
            size = f"{self._max / MIB:g} MiB" if self._max >= MIB else f"{self._max} bytes"
            raise RawDataError(
                self._path,
                None,
                None,
                f"more than {size} of data after decompression (the cap {self._setting} in params.yaml)",
            )
        buffer[: len(data)] = data
        return len(data)


def capped(
    stream: BinaryIO, path: str | os.PathLike, max_bytes: int, setting: str = "data.max_file_mib"
) -> io.BufferedReader:
    """`stream` read through a cap of `max_bytes` bytes (RawDataError naming `path` and the
    params.yaml `setting` of the cap past it)."""
    return io.BufferedReader(_Capped(stream, path, max_bytes, setting), buffer_size=1 << 16)


def is_gzip(path: str | os.PathLike) -> bool:
    """Whether the (checked) file starts with gzip's magic bytes."""
    try:
        with open(path, "rb") as f:
            return f.read(2) == GZIP_MAGIC
    except OSError as exc:
        raise os_problem(path, exc) from None


@contextlib.contextmanager
def open_raw(path: str | os.PathLike, max_bytes: int) -> Iterator[io.BufferedReader]:
    """The checked file's content (gzip decompressed), capped at `max_bytes` bytes."""
    check_file(path)
    gz = is_gzip(path)
    try:
        f = open(path, "rb")  # noqa: SIM115 (closed by the with below; opened apart to name OSError)
    except OSError as exc:
        raise os_problem(path, exc) from None
    with f, gzip.GzipFile(fileobj=f, mode="rb") if gz else contextlib.nullcontext(f) as content:
        yield capped(content, path, max_bytes)
