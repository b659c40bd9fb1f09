"""The one place where an archive of the tweet collection is opened: a 7z file whose members are
text files of `<collection time>,<tweet JSON>` lines.

The archive is checked as every raw file is (nextgenre.rawfile.check_file: a folder, a FIFO, an
unreadable file or a symlink loop is a RawDataError naming it). Before anything is unpacked the
members' declared sizes are summed and checked against a cap (`realdata.max_unpacked_mb`), so a
decompression bomb stops at once; the unpacked lines are then read through the same cap
(nextgenre.rawfile.capped), in case a damaged header under-states them. A file that is not a 7z
archive, a damaged or truncated one, or one with no lines stops with a RawDataError naming the
file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import py7zr

from nextgenre.errors import RawDataError
from nextgenre.rawfile import capped, check_file

MIB = 2**20


def archive_lines(path: str | Path, max_unpacked_mb: float) -> Iterator[tuple[str, int, bytes]]:
    """(member name, line number from 1, line bytes without the line end) of every line of every
    file in the archive, members in name order."""
    path = Path(path)
    check_file(path)
    try:
        with py7zr.SevenZipFile(path, mode="r") as archive:
            members = sorted((m for m in archive.list() if not m.is_directory), key=lambda m: m.filename)
            unpacked = sum(m.uncompressed or 0 for m in members)
            if unpacked > max_unpacked_mb * MIB:
                raise RawDataError(
                    path,
                    None,
                    None,
                    f"unpacks to {unpacked / MIB:.0f} MiB, more than realdata.max_unpacked_mb = {max_unpacked_mb:g}",
                )
            if not members:
                raise RawDataError(path, None, None, "empty archive (no files in it)")
            with tempfile.TemporaryDirectory(prefix="nextgenre-archive-") as tmp:
                archive.extractall(path=tmp)
                yield from _lines(path, Path(tmp), [m.filename for m in members], int(max_unpacked_mb * MIB))
    except RawDataError:
        raise
    except (
        py7zr.Bad7zFile,
        py7zr.DecompressionError,
        EOFError,
        ValueError,
        KeyError,
        OSError,
        TypeError,
        IndexError,
    ) as exc:
        raise RawDataError(
            path, None, None, f"not a readable 7z archive (damaged or truncated?): {type(exc).__name__}"
        ) from None


def _lines(path: Path, folder: Path, names: list[str], max_bytes: int) -> Iterator[tuple[str, int, bytes]]:
    total = 0
    for name in names:
        with open(folder / name, "rb") as raw, capped(raw, path, max_bytes, "realdata.max_unpacked_mb") as f:
            for number, line in enumerate(f, start=1):
                line = line.rstrip(b"\r\n")
                if line.strip():
                    total += 1
                    yield name, number, line
    if total == 0:
        raise RawDataError(path, None, None, "empty archive (no lines in its files)")
