"""Reading and checking a raw data folder (README "Raw schema"); the value rules (time range,
offsets, ids, links) are nextgenre.rawvalues', which the real-data importer builds by.

Three files, each `.csv` or `.csv.gz` (gzip is recognised by its content), UTF-8 (a byte order
mark is allowed; UTF-16 and other encodings are refused), opened through nextgenre.rawfile (a
folder, FIFO, device or unreadable file where a file should be is a RawDataError too):
- users.csv:  user_id, group, optional utc_offset_minutes (an integer in [-840, 840], or empty)
- tweets.csv: tweet_id, user_id, created_at (ISO 8601 with a UTC offset, from
              1900-01-01T00:00:00Z to 2191-12-31T23:59:59Z), text, optional
              stress (a number in -5..-1, or empty)
- tracks.csv: url (starting with http://, https://, www. or spotify:track:), title, artist,
              genres (`;`-separated raw tags), lyrics (may be empty)
Other columns are allowed and ignored. Ids (user_id, tweet_id, in both files) are taken without
surrounding white space: " u1 " and "u1" are the same id. Line ends may be LF, CRLF or CR, mixed
too: rows are what the csv module reads. Each file has at most data.max_rows data rows and
data.max_file_mib MiB after decompression (params.yaml); a bigger one stops with an error.

The first problem found raises one RawDataError naming the file, the row and the column.
Rows are data rows counted from 1 (the header line and blank lines are not counted; a quoted
field that spans lines is still one row); a problem in the header line has no row number. A row
with fewer fields than the header reads the missing trailing fields as empty; a row with more
is an error. Messages never quote cell values: ids and texts are private.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import re
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nextgenre.constants import GROUPS, STRESS_MAX, STRESS_MIN
from nextgenre.errors import RawDataError
from nextgenre.links import normalize
from nextgenre.rawfile import GZIP_MAGIC, Limits, check_file, check_folder, entry_exists, is_gzip, open_raw, os_problem
from nextgenre.rawvalues import MAX_UTC_OFFSET, TIME_RANGE, TIME_RANGE_TEXT, is_link

REQUIRED = {
    "users": ("user_id", "group"),
    "tweets": ("tweet_id", "user_id", "created_at", "text"),
    "tracks": ("url", "title", "artist", "genres", "lyrics"),
}
OPTIONAL = {"users": ("utc_offset_minutes",), "tweets": ("stress",), "tracks": ()}

# ISO 8601 date and time with a UTC offset (Z, +hh, +hhmm or +hh:mm); the offset is required.
_ISO_WITH_OFFSET = re.compile(
    r"^(?P<year>[0-9]{4})-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?"
    r"(?P<offset>Z|[+-][0-9]{2}(?::?[0-9]{2})?)$",
    re.IGNORECASE,
)
_OFFSET_PARTS = r"^(?P<sign>[+-])(?P<h>[0-9]{2}):?(?P<m>[0-9]{2})?$"
_INTEGER = r"^[+-]?[0-9]+$"  # ASCII digits only (\d would take other scripts' digits)
_SURROGATE = r"[\udc80-\udcff]"  # bytes that are not UTF-8, as read with surrogateescape


@dataclass
class RawData:
    """A checked raw folder. Columns are parsed: created_at is UTC, offsets are minutes."""

    users: pd.DataFrame  # user_id, group, utc_offset (float minutes, NaN when not given)
    tweets: pd.DataFrame  # tweet_id, user_id, created_at, written_offset, text, stress (NaN: none)
    tracks: pd.DataFrame  # url, track (normalised link), title, artist, genres, lyrics
    files: dict[str, str]  # "users" -> the file name read, e.g. "users.csv.gz"


def locate(raw: Path, name: str) -> Path:
    """The file of `name` (users, tweets, tracks) in `raw`: name.csv or name.csv.gz."""
    plain, gz = raw / f"{name}.csv", raw / f"{name}.csv.gz"
    has_plain, has_gz = entry_exists(plain), entry_exists(gz)
    if has_plain and has_gz:
        raise RawDataError(plain, None, None, f"both {plain.name} and {gz.name} exist: keep one")
    if has_plain:
        return plain
    if has_gz:
        return gz
    raise RawDataError(plain, None, None, f"missing file (expected {plain.name} or {gz.name} in {raw})")


def _row(mask) -> int | None:
    """The 1-based data row of the first True in a boolean mask, or None."""
    hits = np.flatnonzero(np.asarray(mask, dtype=bool))
    return int(hits[0]) + 1 if len(hits) else None


_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff")  # also the start of UTF-32 LE's BOM
_NOT_UTF8 = "bytes that are not valid UTF-8 (save the file as UTF-8)"
_UTF16 = "header line: UTF-16 or UTF-32 text (save the file as UTF-8)"
_EMPTY = "empty file (expected a header line and data rows)"
# Other compressed formats, by their first bytes (inside gzip too): not read, named.
_COMPRESSED = {
    GZIP_MAGIC: "gzip",
    b"BZh": "bzip2",
    b"PK\x03\x04": "zip",
    b"\xfd7zXZ\x00": "xz",
    b"7z\xbc\xaf\x27\x1c": "7z",
    b"\x28\xb5\x2f\xfd": "zstd",
}
_CHUNK = 1 << 20


def _sniff(path: Path, max_bytes: int) -> bool:
    """Check what the content starts with (compressed again, UTF-16, a NUL in the header line,
    nothing at all); return whether it has a lone CR line end anywhere. A file with a CR that is
    not followed by LF (old Mac line ends, or a mix) is read by pandas' Python engine, which
    splits lines as the csv module does; the C engine shifts fields after a blank CR line."""
    gz = is_gzip(path)
    with _opened(path, max_bytes) as f:
        head = f.read(1 << 16)
        if not head.strip(b"\r\n"):
            raise RawDataError(path, None, None, _EMPTY)
        for magic, kind in _COMPRESSED.items():
            if head.startswith(magic) and (kind != "bzip2" or re.match(rb"BZh[1-9]1AY&SY", head)):
                again = " inside gzip" if gz else ""
                raise RawDataError(
                    path,
                    None,
                    None,
                    f"{kind}-compressed data{again}: only CSV text, plain or gzip-compressed once, is accepted",
                )
        if head.startswith(_UTF16_32_BOMS):
            raise RawDataError(path, None, None, _UTF16)
        header = re.split(rb"[\r\n]", head, maxsplit=1)[0]
        if b"\x00" in header:
            if header.count(0) * 3 >= len(header):  # a NUL beside every letter: UTF-16 or -32
                raise RawDataError(path, None, None, _UTF16)
            raise RawDataError(path, None, None, "header line: a NUL byte (binary data, not CSV text)")
        chunk = head
        while chunk:
            if re.search(rb"\r[^\n]", chunk) or (chunk.endswith(b"\r") and f.peek(1)[:1] != b"\n"):
                return True
            chunk = f.read(_CHUNK)
    return False


@contextlib.contextmanager
def _opened(path: Path, max_bytes: int):
    """open_raw with damaged gzip data as a RawDataError (its own message could quote bytes)."""
    try:
        with open_raw(path, max_bytes) as f:
            yield f
    except EOFError:
        raise RawDataError(path, None, None, "not a valid gzip file (cut short)") from None
    except (gzip.BadGzipFile, zlib.error):
        raise RawDataError(path, None, None, "not a valid gzip file (damaged)") from None
    except RawDataError:
        raise
    except OSError as exc:
        raise os_problem(path, exc) from None


@contextlib.contextmanager
def _open_text(path: Path, max_bytes: int, errors: str = "strict"):
    """The file as text, the way read_table reads it (newline="" as the csv module needs)."""
    with _opened(path, max_bytes) as raw:
        yield io.TextIOWrapper(raw, encoding="utf-8-sig", errors=errors, newline="")


@contextlib.contextmanager
def _huge_fields():
    """The csv module (and pandas' Python engine) with no limit on a field's size (lyrics)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def _records(path: Path, max_bytes: int, errors: str = "strict"):
    """(row, fields) of every non-blank record, the header line as row 0; as pandas counts rows."""
    with _huge_fields(), _open_text(path, max_bytes, errors) as f:
        blank = ([], [""])  # pandas skips blank (and whitespace-only) lines
        yield from enumerate(r for r in csv.reader(f) if [x.strip() for x in r] not in blank)


def _bad_encoding(path: Path, max_bytes: int) -> RawDataError:
    """The first cell that holds bytes that are not UTF-8."""
    header: list[str] = []
    for row, fields in _records(path, max_bytes, errors="surrogateescape"):
        if row == 0:
            header = [f.strip() for f in fields]
        for i, field in enumerate(fields):
            if re.search(_SURROGATE, field):
                if row == 0:
                    return RawDataError(path, None, None, f"header line: {_NOT_UTF8}")
                return RawDataError(path, row, header[i] if i < len(header) else None, _NOT_UTF8)
    return RawDataError(path, None, None, _NOT_UTF8)


def _bad_csv(path: Path, max_bytes: int, exc: Exception | None = None) -> RawDataError:
    """The first row that pandas' CSV parser gave up on: more fields than the header line, or a
    quoted field that is never closed."""
    header_fields = None
    last_row = 0
    try:
        for row, fields in _records(path, max_bytes):
            if row == 0:
                header_fields = len(fields)
            elif len(fields) > header_fields:
                return RawDataError(
                    path,
                    row,
                    None,
                    f"{len(fields)} fields, but the header line has {header_fields} (an unquoted comma?)",
                )
            last_row = row
    except UnicodeError:  # bytes that are not UTF-8 before any row pandas gave up on
        return _bad_encoding(path, max_bytes)
    if re.search("EOF inside string|unexpected end of data|EOF when reading", str(exc or "")):
        # the open field runs to the end: the last row
        return RawDataError(path, last_row or None, None, "a quoted field is never closed (a missing or stray '\"')")
    return RawDataError(path, last_row or None, None, "not a valid CSV file")


def _header(path: Path, max_bytes: int) -> list[str]:
    """The column names of the header line, as written (pandas renames repeated names)."""
    for _, fields in _records(path, max_bytes):
        return fields
    return []


def _names(columns) -> str:
    """Column names for a message: printable, shortened."""
    shown = [ascii(str(c))[1:-1][:40] for c in list(columns)[:20]]
    return ", ".join(shown) + (", ..." if len(columns) > 20 else "")


def read_table(raw: Path, name: str, limits: Limits = Limits()) -> pd.DataFrame:
    """Read one raw CSV as strings and check its header: required columns, at least one row,
    at most limits.max_rows rows and limits.max_bytes bytes (after decompression)."""
    path = locate(raw, name)
    if check_file(path).st_size == 0:
        raise RawDataError(path, None, None, _EMPTY)
    max_bytes = limits.max_bytes
    too_many_rows = RawDataError(
        path, None, None, f"more than {limits.max_rows:,} data rows (the cap data.max_rows in params.yaml)"
    )
    try:
        lone_cr = _sniff(path, max_bytes)
        if lone_cr:  # the Python engine counts blank lines in nrows: count rows as csv does
            for row, _ in _records(path, max_bytes):
                if row > limits.max_rows:
                    raise too_many_rows
        with _huge_fields(), _opened(path, max_bytes) as f:
            df = pd.read_csv(
                f,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                engine="python" if lone_cr else "c",
                nrows=limits.max_rows + 1,
            )
        df = df.fillna("")  # the Python engine reads missing trailing fields as NaN
        header = _header(path, max_bytes)
    except UnicodeError:
        raise _bad_encoding(path, max_bytes) from None
    except pd.errors.EmptyDataError:
        raise RawDataError(path, None, None, _EMPTY) from None
    except (pd.errors.ParserError, csv.Error) as exc:
        raise _bad_csv(path, max_bytes, exc) from None
    if len(df) > limits.max_rows:
        raise too_many_rows
    if not isinstance(df.index, pd.RangeIndex):  # pandas read extra fields of row 1 as an index
        raise _bad_csv(path, max_bytes)
    columns = [str(c).strip() for c in header]
    if len(columns) != len(df.columns):  # should not happen: both read the same header line
        raise RawDataError(path, None, None, "header line: could not be read")
    for column in columns:
        if column and columns.count(column) > 1:
            raise RawDataError(path, None, column, "appears more than once in the header line")
    df.columns = columns
    for column in REQUIRED[name]:
        if column not in df.columns:
            raise RawDataError(path, None, column, f"missing from the header line (found: {_names(df.columns)})")
    if df.empty:
        raise RawDataError(path, None, None, "no data rows (only a header line)")
    df.attrs["path"] = path
    return df


def _strip_ids(df: pd.DataFrame, *columns: str) -> None:
    """White space around an id is not part of it (" u1 " is u1): ids are compared, checked
    and pseudonymised without it, in every file."""
    for column in columns:
        df[column] = df[column].str.strip()


def _check_not_empty(df: pd.DataFrame, column: str) -> None:
    row = _row(df[column].str.strip() == "")
    if row is not None:
        raise RawDataError(df.attrs["path"], row, column, "empty value")


def _check_unique(df: pd.DataFrame, column: str, keys: pd.Series | None = None, what: str = "") -> None:
    keys = df[column] if keys is None else keys
    dup = keys.duplicated(keep="first").to_numpy()
    row = _row(dup)
    if row is not None:
        first = _row((keys == keys.iloc[row - 1]).to_numpy())
        raise RawDataError(df.attrs["path"], row, column, f"duplicate {what or column} (same as row {first})")


def _check_users(df: pd.DataFrame) -> pd.DataFrame:
    path = df.attrs["path"]
    _strip_ids(df, "user_id")
    _check_not_empty(df, "user_id")
    _check_unique(df, "user_id")
    group = df["group"].str.strip()
    row = _row(~group.isin(GROUPS))
    if row is not None:
        raise RawDataError(path, row, "group", f"unknown group (expected one of: {', '.join(GROUPS)})")
    offset = pd.Series(np.nan, index=df.index)
    if "utc_offset_minutes" in df.columns:
        text = df["utc_offset_minutes"].str.strip()
        given = text != ""
        is_int = text.str.match(_INTEGER)
        value = pd.to_numeric(text.where(given & is_int), errors="coerce")
        bad = given & (~is_int | (value.abs() > MAX_UTC_OFFSET))
        row = _row(bad)
        if row is not None:
            raise RawDataError(
                path,
                row,
                "utc_offset_minutes",
                f"expected an integer in [-{MAX_UTC_OFFSET}, {MAX_UTC_OFFSET}] or empty",
            )
        offset = value.astype(float)
    return pd.DataFrame({"user_id": df["user_id"], "group": group, "utc_offset": offset})


def _written_offset(offsets: pd.Series) -> pd.Series:
    """Minutes east of UTC of offsets as written: Z, +hh, +hhmm, +hh:mm."""
    parts = offsets.str.upper().replace("Z", "+00:00").str.extract(_OFFSET_PARTS)
    minutes = parts["h"].astype(int) * 60 + parts["m"].replace("", "0").fillna("0").astype(int)
    return minutes.where(parts["sign"] == "+", -minutes).astype(np.int64)


def _check_tweets(df: pd.DataFrame, users: pd.DataFrame) -> pd.DataFrame:
    path = df.attrs["path"]
    _strip_ids(df, "tweet_id", "user_id")
    _check_not_empty(df, "tweet_id")
    _check_unique(df, "tweet_id")
    _check_not_empty(df, "user_id")
    row = _row(~df["user_id"].isin(users["user_id"]))
    if row is not None:
        raise RawDataError(path, row, "user_id", "tweet by a user who is not in users.csv")
    # ISO 8601 allows a lowercase t and z and a decimal comma; pandas' parser wants T, Z and '.'
    text = df["created_at"].str.strip().str.upper().str.replace(",", ".", regex=False)
    parts = text.str.extract(_ISO_WITH_OFFSET)
    out_of_range = f"outside {TIME_RANGE_TEXT} (UTC), the times the pipeline can compute with (a typo?)"
    year = pd.to_numeric(parts["year"], errors="coerce")
    row = _row((year < TIME_RANGE[0].year - 1) | (year > TIME_RANGE[1].year))  # whatever the offset
    if row is not None:
        raise RawDataError(path, row, "created_at", out_of_range)
    created = pd.to_datetime(text.where(parts["offset"].notna()), format="ISO8601", utc=True, errors="coerce")
    row = _row(created.isna())
    if row is not None:
        raise RawDataError(
            path,
            row,
            "created_at",
            "not an ISO 8601 date and time with a UTC offset (e.g. 2019-05-01T21:30:00+02:00 or 2019-05-01T19:30:00Z)",
        )
    row = _row((created < TIME_RANGE[0]) | (created >= TIME_RANGE[1]))
    if row is not None:
        raise RawDataError(path, row, "created_at", out_of_range)
    stress = pd.Series(np.nan, index=df.index)
    if "stress" in df.columns:
        value_text = df["stress"].str.strip()
        given = value_text != ""
        stress = pd.to_numeric(value_text.where(given), errors="coerce").astype(float)
        bad = given & ~stress.between(STRESS_MIN, STRESS_MAX)
        row = _row(bad)
        if row is not None:
            raise RawDataError(path, row, "stress", f"expected a number in {STRESS_MIN:g}..{STRESS_MAX:g} or empty")
    return pd.DataFrame(
        {
            "tweet_id": df["tweet_id"],
            "user_id": df["user_id"],
            "created_at": created.astype("datetime64[ns, UTC]"),
            "written_offset": _written_offset(parts["offset"]),
            "text": df["text"],
            "stress": stress,
        }
    )


def _check_tracks(df: pd.DataFrame) -> pd.DataFrame:
    path = df.attrs["path"]
    _check_not_empty(df, "url")
    unique_urls = df["url"].unique()
    normalised = dict(zip(unique_urls, (normalize(u) for u in unique_urls)))
    track = df["url"].map(normalised)
    links = dict(zip(unique_urls, (is_link(u) for u in unique_urls)))
    row = _row(~df["url"].map(links).astype(bool))
    if row is not None:
        raise RawDataError(
            path, row, "url", "not a link (expected http://, https://, www. or spotify:track: followed by a host name)"
        )
    _check_unique(df, "url", keys=track, what="track url (the same link after normalisation)")
    out = df[["url", "title", "artist", "genres", "lyrics"]].copy()
    out.insert(1, "track", track.astype(str))
    return out


def read_raw(raw: str | Path, limits: Limits = Limits()) -> RawData:
    """Read and check the three files of a raw folder; raise RawDataError on the first problem."""
    raw = Path(raw)
    if not entry_exists(raw):
        raise RawDataError(raw, None, None, "raw data folder not found (check data.raw in params.yaml)")
    check_folder(raw)
    users_in = read_table(raw, "users", limits)
    tweets_in = read_table(raw, "tweets", limits)
    tracks_in = read_table(raw, "tracks", limits)
    users = _check_users(users_in)
    tweets = _check_tweets(tweets_in, users)
    tracks = _check_tracks(tracks_in)
    files = {
        name: df.attrs["path"].name for name, df in (("users", users_in), ("tweets", tweets_in), ("tracks", tracks_in))
    }
    return RawData(users, tweets, tracks, files)
