"""The one place where an archive of the tweet collection is opened: a 7z file whose members are
text files of `<collection time>,<tweet JSON>` lines.

The members are streamed, never unpacked to disk: py7zr hands each member's bytes, as it
decompresses them, to a reader here (py7zr.io.WriterFactory), which cuts them into lines and
hands each line on at once; so neither disk nor memory use grows with the archive. Members are
read in name order.

Checks, each a RawDataError naming the file (and the member where there is one):
- the archive is checked as every raw file is (nextgenre.rawfile.check_file: a folder, a FIFO,
  an unreadable file or a symlink loop is named as such);
- a file that is not a 7z archive, or a damaged or truncated one;
- a member name that would leave the folder it is unpacked to (an absolute path, or a `..`
  part): an unsafe member name, refused before anything is read;
- a member that is a link, and one that is not UTF-8 text (a NUL byte in its first 8000 bytes,
  as git decides that a file is binary, or a UTF-16/32 byte order mark);
- an archive with no files, or whose files hold no lines;
- more than `realdata.max_unpacked_mb` MiB of unpacked bytes: refused at once when the sizes
  the archive's header declares add up to more, and stopped as soon as the bytes actually
  produced pass it.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath

import py7zr
import py7zr.py7zr
from py7zr.io import Py7zIO, WriterFactory

from nextgenre.errors import RawDataError
from nextgenre.rawfile import check_file

MIB = 2**20
WINDOW = 1 << 20  # bytes cut into lines at a time
CHUNK = 4 << 20  # bytes py7zr decompresses at a time (its default: up to 128 MB)
SNIFF_BYTES = 8000  # git's rule: a NUL byte in the first 8000 bytes makes a file binary
_UNICODE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")  # UTF-16 LE/BE (and UTF-32), UTF-32 BE
OnLine = Callable[[str, int, bytes], None]


def read_archive(path: str | Path, max_unpacked_mb: float, on_line: OnLine) -> None:
    """Call `on_line(member name, line number from 1, line bytes without the line end)` for every
    line that is not blank, of every file in the archive, members in name order."""
    path = Path(path)
    check_file(path)
    reader = _LineReader(path, int(max_unpacked_mb * MIB), on_line)
    try:
        with open(path, "rb") as f, py7zr.SevenZipFile(f, mode="r") as archive:
            # An open file (not a name) makes py7zr decompress one member after the other, in
            # this thread, so the reader sees each member's bytes in order.
            passes = _plan(path, archive, max_unpacked_mb)
            with tempfile.TemporaryDirectory(prefix="nextgenre-archive-") as nowhere, _chunks_of(CHUNK):
                # py7zr checks names against a destination folder; nothing is written in it
                for i, targets in enumerate(passes):
                    if i:
                        archive.reset()
                    reader.folder = Path(nowhere)
                    archive.extract(path=nowhere, targets=targets, factory=reader)
    except _ReaderFailed as failed:
        raise failed.error from None
    except (RawDataError, MemoryError):
        raise
    except py7zr.PasswordRequired:
        raise RawDataError(path, None, None, "an encrypted (password-protected) 7z archive: not supported") from None
    except py7zr.UnsupportedCompressionMethodError:
        raise RawDataError(path, None, None, "compressed with a method that py7zr cannot read") from None
    except Exception as exc:  # whatever py7zr raises on bytes that are not a sound 7z archive
        raise RawDataError(
            path, None, None, f"not a readable 7z archive (damaged or truncated?): {type(exc).__name__}"
        ) from None
    if reader.lines == 0:
        raise RawDataError(path, None, None, "no text in the archive: its files hold no lines")


@contextlib.contextmanager
def _chunks_of(size: int):
    """py7zr decompressing at most `size` bytes at a time: it asks get_memory_limit() (up to
    128 MB), a chunk the reader would hold while it reads the lines in it. Where a py7zr version
    has no such function, its own chunk size stands."""
    module = py7zr.py7zr
    default = getattr(module, "get_memory_limit", None)
    if default is None:
        yield
        return
    module.get_memory_limit = lambda: min(size, default())
    try:
        yield
    finally:
        module.get_memory_limit = default


def _plan(path: Path, archive: py7zr.SevenZipFile, max_unpacked_mb: float) -> list[list[str] | None]:
    """Check the members' names, kinds and declared sizes; the extraction passes that give the
    members in name order (targets; None: every member in one pass)."""
    members = [m for m in archive.files if not m.is_directory]
    for m in members:
        if _unsafe(m.filename):
            raise RawDataError(
                f"{path} (member {ascii(m.filename)[1:-1]})",
                None,
                None,
                "an unsafe member name (an absolute path, or a '..' part that would leave the folder it is "
                "unpacked to): refused, nothing read",
            )
        if m.is_symlink or getattr(m, "is_junction", False):
            raise RawDataError(f"{path} ({m.filename})", None, None, "a link, not a text file: refused")
    if not members:
        raise RawDataError(path, None, None, "no text files in the archive (it is empty, or holds only folders)")
    unpacked = sum(m.uncompressed or 0 for m in members)
    if unpacked > max_unpacked_mb * MIB:
        raise RawDataError(
            path,
            None,
            None,
            f"unpacks to {unpacked / MIB:.0f} MiB, more than realdata.max_unpacked_mb = {max_unpacked_mb:g}",
        )
    stored = [m.filename for m in members if not m.emptystream]
    if stored == sorted(stored):
        return [None]
    return [[name] for name in sorted(set(stored))]


def _unsafe(name: str) -> bool:
    """Whether an archive member's name would leave the folder it is unpacked to."""
    parts = name.replace("\\", "/").split("/")
    return (
        name.startswith(("/", "\\"))
        or PurePosixPath(name).is_absolute()
        or bool(PureWindowsPath(name).drive)
        or ".." in parts
        or "\x00" in name
        or not [p for p in parts if p not in ("", ".")]
    )


class _ReaderFailed(Exception):
    """An exception of the reader (or of `on_line`) on its way out through py7zr."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


class _LineReader(WriterFactory):
    """py7zr's writer factory: every member it creates is cut into lines handed to `on_line`."""

    def __init__(self, path: Path, max_bytes: int, on_line: OnLine):
        self.path, self.max_bytes, self.on_line = path, max_bytes, on_line
        self.folder: Path | None = None
        self.produced = 0  # unpacked bytes, all members
        self.lines = 0  # non-blank lines, all members

    def create(self, filename: str) -> Py7zIO:
        name = Path(filename)
        if self.folder is not None and name.is_relative_to(self.folder):
            name = name.relative_to(self.folder)
        return _Member(self, name.as_posix())

    def count(self, size: int) -> None:
        self.produced += size
        if self.produced > self.max_bytes:
            raise RawDataError(
                self.path,
                None,
                None,
                f"more than {self.max_bytes / MIB:g} MiB of data after decompression "
                "(the cap realdata.max_unpacked_mb in params.yaml)",
            )


class _Member(Py7zIO):
    """One member's bytes as py7zr writes them: checked to be text, cut into lines."""

    def __init__(self, reader: _LineReader, name: str):
        self.reader, self.name = reader, name
        self.head = bytearray()  # the first SNIFF_BYTES, held until they are checked
        self.checked = False
        self.rest: list[bytes] = []  # the start of a line that the next write goes on with
        self.number = 0
        self.size_ = 0

    def write(self, s: bytes | bytearray) -> int:
        written = len(s)
        try:
            self.reader.count(written)
            self.size_ += written
            data = memoryview(s)
            if not self.checked:
                wanted = SNIFF_BYTES - len(self.head)
                self.head += data[:wanted]
                if len(self.head) < SNIFF_BYTES:
                    return written
                self._check_text()
                self._cut(bytes(self.head))
                self.head, data = bytearray(), data[wanted:]
            for start in range(0, len(data), WINDOW):  # py7zr writes up to 128 MB at a time
                self._cut(bytes(data[start : start + WINDOW]))
        except Exception as exc:
            raise _ReaderFailed(exc) from exc
        return written

    def close(self) -> None:
        """py7zr is done with this member: the last line, if the member does not end with one."""
        try:
            if not self.checked:
                self._check_text()
                self._cut(bytes(self.head))
                self.head = bytearray()
            if self.rest:
                self._line(b"".join(self.rest))
                self.rest = []
        except Exception as exc:
            raise _ReaderFailed(exc) from exc

    def _check_text(self) -> None:
        self.checked = True
        head = bytes(self.head[:SNIFF_BYTES])
        if b"\x00" in head or head.startswith(_UNICODE_BOMS):
            raise RawDataError(
                f"{self.reader.path} ({self.name})",
                None,
                None,
                "not UTF-8 text (binary data, or another encoding such as UTF-16): the archive's files must "
                "hold lines `<collection time>,<tweet JSON>`",
            )

    def _cut(self, data: bytes) -> None:
        pieces = data.split(b"\n")
        if len(pieces) == 1:
            if data:
                self.rest.append(data)
            return
        if self.rest:
            pieces[0] = b"".join([*self.rest, pieces[0]])
        last = pieces.pop()
        self.rest = [last] if last else []
        for piece in pieces:
            self._line(piece)

    def _line(self, line: bytes) -> None:
        self.number += 1
        line = line.rstrip(b"\r\n")
        if line.strip():
            self.reader.lines += 1
            self.reader.on_line(self.name, self.number, line)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def seekable(self) -> bool:
        return False

    def flush(self) -> None:
        pass

    def size(self) -> int:
        return self.size_
