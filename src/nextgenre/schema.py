"""Reading and checking a raw data folder (README "Raw schema").

Three files, each `.csv` or `.csv.gz`, UTF-8:
- users.csv:  user_id, group, optional utc_offset_minutes (an integer in [-840, 840], or empty)
- tweets.csv: tweet_id, user_id, created_at (ISO 8601 with a UTC offset), text, optional stress
              (a number in -5..-1, or empty)
- tracks.csv: url, title, artist, genres (`;`-separated raw tags), lyrics (may be empty)
Other columns are allowed and ignored.

The first problem found raises one RawDataError naming the file, the row and the column.
Rows are data rows counted from 1 (the header line is not counted; a quoted field that spans
lines is still one row); a problem in the header line has no row number. Messages never quote
cell values: ids and texts are private.
"""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nextgenre.constants import GROUPS, STRESS_MAX, STRESS_MIN
from nextgenre.errors import RawDataError
from nextgenre.links import normalize

REQUIRED = {
    "users": ("user_id", "group"),
    "tweets": ("tweet_id", "user_id", "created_at", "text"),
    "tracks": ("url", "title", "artist", "genres", "lyrics"),
}
OPTIONAL = {"users": ("utc_offset_minutes",), "tweets": ("stress",), "tracks": ()}
MAX_UTC_OFFSET = 840  # minutes: UTC-14:00 .. UTC+14:00

# ISO 8601 date and time with a UTC offset (Z, +hh, +hhmm or +hh:mm); the offset is required.
_ISO_WITH_OFFSET = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
_OFFSET_PARTS = r"^(?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2})?$"
_INTEGER = r"^[+-]?\d+$"
_SURROGATE = r"[\udc80-\udcff]"  # bytes that are not UTF-8, as read with surrogateescape


@dataclass
class RawData:
    """A checked raw folder. Columns are parsed: created_at is UTC, offsets are minutes."""
    users: pd.DataFrame   # user_id, group, utc_offset (float minutes, NaN when not given)
    tweets: pd.DataFrame  # tweet_id, user_id, created_at, written_offset, text, stress (NaN: none)
    tracks: pd.DataFrame  # url, track (normalised link), title, artist, genres, lyrics
    files: dict[str, str]  # "users" -> the file name read, e.g. "users.csv.gz"


def locate(raw: Path, name: str) -> Path:
    """The file of `name` (users, tweets, tracks) in `raw`: name.csv or name.csv.gz."""
    plain, gz = raw / f"{name}.csv", raw / f"{name}.csv.gz"
    if plain.exists() and gz.exists():
        raise RawDataError(plain, None, None, f"both {plain.name} and {gz.name} exist: keep one")
    if plain.exists():
        return plain
    if gz.exists():
        return gz
    raise RawDataError(plain, None, None, f"missing file (expected {plain.name} or {gz.name} in {raw})")


def _row(mask) -> int | None:
    """The 1-based data row of the first True in a boolean mask, or None."""
    hits = np.flatnonzero(np.asarray(mask, dtype=bool))
    return int(hits[0]) + 1 if len(hits) else None


def _bad_encoding(path: Path) -> RawDataError:
    """Find the first cell that holds bytes that are not UTF-8."""
    df = pd.read_csv(path, dtype=object, keep_default_na=False, encoding="utf-8-sig",
                     encoding_errors="surrogateescape")
    problem = "bytes that are not valid UTF-8 (save the file as UTF-8)"
    for column in df.columns:
        if re.search(_SURROGATE, str(column)):
            return RawDataError(path, None, None, f"header line: {problem}")
    best = None
    for column in df.columns:
        row = _row(df[column].astype(object).str.contains(_SURROGATE, regex=True))
        if row is not None and (best is None or row < best[0]):
            best = (row, column)
    if best is None:  # should not happen: the strict read failed
        return RawDataError(path, None, None, problem)
    return RawDataError(path, best[0], best[1], problem)


def read_table(raw: Path, name: str) -> pd.DataFrame:
    """Read one raw CSV as strings and check its header: required columns, at least one row."""
    path = locate(raw, name)
    if path.stat().st_size == 0:
        raise RawDataError(path, None, None, "empty file (expected a header line and data rows)")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _bad_encoding(path) from None
    except pd.errors.EmptyDataError:
        raise RawDataError(path, None, None, "empty file (expected a header line and data rows)") from None
    except pd.errors.ParserError as exc:
        raise RawDataError(path, None, None, f"not a valid CSV file: {exc}") from None
    except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
        raise RawDataError(path, None, None, f"not a valid gzip file: {exc}") from None
    df.columns = [str(c).strip() for c in df.columns]
    for column in REQUIRED[name]:
        if column not in df.columns:
            found = ", ".join(df.columns)
            raise RawDataError(path, None, column, f"missing from the header line (found: {found})")
    if df.empty:
        raise RawDataError(path, None, None, "no data rows (only a header line)")
    df.attrs["path"] = path
    return df


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
            raise RawDataError(path, row, "utc_offset_minutes",
                               f"expected an integer in [-{MAX_UTC_OFFSET}, {MAX_UTC_OFFSET}] or empty")
        offset = value.astype(float)
    return pd.DataFrame({"user_id": df["user_id"], "group": group, "utc_offset": offset})


def _written_offset(offsets: pd.Series) -> pd.Series:
    """Minutes east of UTC of offsets as written: Z, +hh, +hhmm, +hh:mm."""
    parts = offsets.str.upper().replace("Z", "+00:00").str.extract(_OFFSET_PARTS)
    minutes = parts["h"].astype(int) * 60 + parts["m"].replace("", "0").fillna("0").astype(int)
    return minutes.where(parts["sign"] == "+", -minutes).astype(np.int64)


def _check_tweets(df: pd.DataFrame, users: pd.DataFrame) -> pd.DataFrame:
    path = df.attrs["path"]
    _check_not_empty(df, "tweet_id")
    _check_unique(df, "tweet_id")
    _check_not_empty(df, "user_id")
    row = _row(~df["user_id"].isin(users["user_id"]))
    if row is not None:
        raise RawDataError(path, row, "user_id", "tweet by a user who is not in users.csv")
    text = df["created_at"].str.strip()
    parts = text.str.extract(_ISO_WITH_OFFSET)
    created = pd.to_datetime(text.where(parts["offset"].notna()), format="ISO8601", utc=True,
                             errors="coerce")
    row = _row(created.isna())
    if row is not None:
        raise RawDataError(path, row, "created_at",
                           "not an ISO 8601 date and time with a UTC offset "
                           "(e.g. 2019-05-01T21:30:00+02:00 or 2019-05-01T19:30:00Z)")
    stress = pd.Series(np.nan, index=df.index)
    if "stress" in df.columns:
        value_text = df["stress"].str.strip()
        given = value_text != ""
        stress = pd.to_numeric(value_text.where(given), errors="coerce").astype(float)
        bad = given & ~stress.between(STRESS_MIN, STRESS_MAX)
        row = _row(bad)
        if row is not None:
            raise RawDataError(path, row, "stress",
                               f"expected a number in {STRESS_MIN:g}..{STRESS_MAX:g} or empty")
    return pd.DataFrame({
        "tweet_id": df["tweet_id"], "user_id": df["user_id"],
        "created_at": created.astype("datetime64[ns, UTC]"),
        "written_offset": _written_offset(parts["offset"]),
        "text": df["text"], "stress": stress,
    })


def _check_tracks(df: pd.DataFrame) -> pd.DataFrame:
    path = df.attrs["path"]
    _check_not_empty(df, "url")
    unique_urls = df["url"].unique()
    normalised = dict(zip(unique_urls, (normalize(u) for u in unique_urls)))
    track = df["url"].map(normalised)
    row = _row(track.isna())
    if row is not None:
        raise RawDataError(path, row, "url", "not a link")
    _check_unique(df, "url", keys=track, what="track url (the same link after normalisation)")
    out = df[["url", "title", "artist", "genres", "lyrics"]].copy()
    out.insert(1, "track", track.astype(str))
    return out


def read_raw(raw: str | Path) -> RawData:
    """Read and check the three files of a raw folder; raise RawDataError on the first problem."""
    raw = Path(raw)
    if not raw.is_dir():
        raise RawDataError(raw, None, None, "raw data folder not found (check data.raw in params.yaml)")
    users_in = read_table(raw, "users")
    tweets_in = read_table(raw, "tweets")
    tracks_in = read_table(raw, "tracks")
    users = _check_users(users_in)
    tweets = _check_tweets(tweets_in, users)
    tracks = _check_tracks(tracks_in)
    files = {name: df.attrs["path"].name for name, df in
             (("users", users_in), ("tweets", tweets_in), ("tracks", tracks_in))}
    return RawData(users, tweets, tracks, files)
