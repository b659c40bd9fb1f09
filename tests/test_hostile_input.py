"""Hostile input: property-based tests (hypothesis) that feed `ingest` raw folders with random
damage, starting from the valid hand-made fixture (tests/raw_fixtures.py).

Each example is a `Case`: the tables as written (`written`, with their damage), the tables they
mean (`meant`), how each file is written (encoding, line ends, gzip, blank lines, short rows) and
at most one damage that must stop ingest (`error`: file, row, column). The property:

- no error expected: ingest succeeds, and its result (sessions, tweets, tracks, metrics) equals
  that of `meant` written plainly by pandas. Damage that changes nothing (shuffled rows or
  columns, extra columns, BOM, CRLF, gzip, timestamps of the same instant in other ISO 8601
  forms, links with tracking parameters...) leaves `meant` as the fixture; damage that changes
  content (huge fields, control characters, quotes and newlines in text...) changes `meant` too.
- an error expected: ingest raises one RawDataError naming that file, row and column, whose
  message has no cell value in it.
Any other exception, a hang (deadline per example, time limit per test) or a wrong result fails.
A few examples run the real stage script (subprocess), from raw folders whose names carry
markup ($...$, CJK, line breaks): exit 2 with one `error:` line and no traceback, and earlier
outputs left untouched; or exit 0 with the expected tables and no warning.

Round two (issue 15) added: ids with surrounding white space, a line end drawn per line (CR,
LF, CRLF mixed), times at the edges of the range with offsets of up to 14 hours, folders and
special files (FIFO, /dev/zero, a symlink loop) in place of files, compressed bombs and row
floods against a small cap, other compression formats, NUL bytes in the header line, track
urls without a scheme or with a broken host.
"""

from __future__ import annotations

import bz2
import csv
import dataclasses
import gzip
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from nextgenre.errors import RawDataError
from nextgenre.ingest import ingest
from nextgenre.pseudonym import KEY_ENV, key_fingerprint
from nextgenre.rawfile import MIB, Limits
from tests.conftest import ROOT, set_params
from tests.raw_fixtures import RAW_MARKERS, frames

KEY = b"hostile-test-key-of-at-least-32-characters"
NAMES = ("users", "tweets", "tracks")
OPTIONAL = {"users": ["utc_offset_minutes"], "tweets": ["stress"], "tracks": []}
REQUIRED = {
    "users": ["user_id", "group"],
    "tweets": ["tweet_id", "user_id", "created_at", "text"],
    "tracks": ["url", "title", "artist", "genres", "lyrics"],
}
# Columns whose trailing omission (read as empty) keeps a folder valid.
MAY_BE_EMPTY = {"utc_offset_minutes", "stress", "text", "title", "artist", "genres", "lyrics"}
MARKERS = [m.decode() for m in RAW_MARKERS] + ["ghost", "QQOPEN"]
CONTROL = [chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127)]  # C0 controls, DEL
NON_ASCII = "éüßñçø"  # Latin-1 letters; none forms valid UTF-8 with its neighbours in Latin-1
UNICODE = ["é", "日本語", "🎵", "\u200b", "\u202e", "e\u0301", "Ω"]
MEGABYTE = 1_000_000


@dataclass
class Expected:
    file: str  # "users", "tweets" or "tracks"
    row: int | None  # data row from 1; None for whole-file and header-line problems
    column: str | None
    words: str = ""  # a phrase the message must hold
    file_name: str = ""  # the file named, when not the one written (a missing file)


@dataclass
class Case:
    written: dict[str, pd.DataFrame]
    meant: dict[str, pd.DataFrame]
    encoding: dict[str, str] = field(default_factory=lambda: dict.fromkeys(NAMES, "utf-8"))
    newline: dict[str, str] = field(default_factory=lambda: dict.fromkeys(NAMES, "\n"))
    gzip: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(NAMES, False))
    gz_name: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(NAMES, False))
    final_newline: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(NAMES, True))
    blank_after: dict[str, set] = field(default_factory=lambda: {n: set() for n in NAMES})
    trim: dict[str, dict] = field(default_factory=lambda: {n: {} for n in NAMES})  # row -> fields dropped
    extra: dict[str, dict] = field(default_factory=lambda: {n: {} for n in NAMES})  # row -> extra fields
    text_edit: dict[str, object] = field(default_factory=dict)  # file -> (text -> text), before encoding
    raw_edit: dict[str, object] = field(default_factory=dict)  # file -> (bytes -> bytes or None: no file)
    both: set = field(default_factory=set)  # files written as .csv and .csv.gz
    header_names: dict[str, list] = field(default_factory=dict)  # file -> names as written
    line_ends: dict[str, list] = field(default_factory=dict)  # file -> line end of each line, cycled
    special: dict[str, str] = field(default_factory=dict)  # file -> folder, fifo, devzero or loop
    limits: Limits = Limits()
    error: Expected | None = None
    labels: list[str] = field(default_factory=list)

    def file_name(self, name: str) -> str:
        return f"{name}.csv.gz" if self.gz_name[name] else f"{name}.csv"


def fixture_case() -> Case:
    return Case(written=frames(), meant=frames())


# --- writing a case -------------------------------------------------------------------------


def csv_line(fields: list[str], newline: str) -> str:
    """One CSV record. Any field with a CR or LF is quoted, whatever the line end (the csv
    module, and so pandas' to_csv, quotes only the characters of its own line terminator)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(fields)
    return out.getvalue()[:-2] + newline


def csv_text(case: Case, name: str) -> str:
    """The file's text: header, rows (short or long ones as damaged), blank lines."""
    df = case.written[name]
    ends = case.line_ends.get(name) or [case.newline[name]]
    newline = ends[0]
    lines = [csv_line(case.header_names.get(name, list(df.columns)), newline)]
    for i, row in enumerate(df.itertuples(index=False)):
        newline = ends[len(lines) % len(ends)]
        fields = list(row)
        if i in case.trim[name]:
            fields = fields[: len(fields) - case.trim[name][i]]
        lines.append(csv_line(fields + case.extra[name].get(i, []), newline))
        if i in case.blank_after[name]:
            lines.append(newline)
    text = "".join(lines)
    if not case.final_newline[name]:
        text = text[: -len(newline)]
    return case.text_edit[name](text) if name in case.text_edit else text


def write_case(case: Case, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        data = csv_text(case, name).encode(case.encoding[name], errors="replace")
        if case.gzip[name]:
            data = gzip.compress(data, mtime=0)
        if name in case.raw_edit:
            data = case.raw_edit[name](data)
        path = folder / case.file_name(name)
        special = case.special.get(name)
        if special == "folder":
            path.mkdir()
        elif special == "fifo":
            os.mkfifo(path)
        elif special == "devzero":
            path.symlink_to("/dev/zero")
        elif special == "loop":
            path.symlink_to(path.name)
        elif data is not None:
            path.write_bytes(data)
        if name in case.both:
            (folder / f"{name}.csv.gz").write_bytes(gzip.compress(data, mtime=0))
    return folder


_EXPECTED_CACHE: dict[bytes, object] = {}


def expected_result(meant: dict[str, pd.DataFrame]):
    """ingest() of the meant tables, written plainly (cached by content)."""
    key = b"".join(
        pd.util.hash_pandas_object(meant[n], index=True).to_numpy().tobytes() + "|".join(meant[n].columns).encode()
        for n in NAMES
    )
    if key not in _EXPECTED_CACHE:
        with tempfile.TemporaryDirectory() as tmp:
            plain = Case(written=meant, meant=meant)
            _EXPECTED_CACHE[key] = ingest(write_case(plain, Path(tmp)), KEY)
    return _EXPECTED_CACHE[key]


# --- damage that keeps a folder valid -------------------------------------------------------


def shuffle_rows(draw, case, name):
    order = draw(st.permutations(range(len(case.written[name]))))
    case.written[name] = case.written[name].iloc[list(order)].reset_index(drop=True)
    case.meant[name] = case.meant[name].iloc[list(order)].reset_index(drop=True)


def shuffle_columns(draw, case, name):
    columns = draw(st.permutations(list(case.written[name].columns)))
    case.written[name] = case.written[name][list(columns)]


def extra_column(draw, case, name):
    column = draw(st.sampled_from(["notes", "Unnamed: 0", "", "x y", "created", "id2"]))
    if column in case.written[name].columns:
        return
    values = draw(
        st.lists(
            st.sampled_from(["", "a,b", 'say "hi"', "line\nbreak", "42", "\x00"]),
            min_size=len(case.written[name]),
            max_size=len(case.written[name]),
        )
    )
    case.written[name][column] = values


def drop_optional(draw, case, name):
    for column in OPTIONAL[name]:
        if column in case.written[name].columns:
            case.written[name] = case.written[name].drop(columns=[column])
            case.meant[name][column] = ""  # a missing optional column means "not given"


def header_spaces(draw, case, name):
    names = list(case.written[name].columns)
    case.header_names[name] = [draw(st.sampled_from([c, f" {c}", f"{c} ", f"  {c}\t"])) if c else c for c in names]


def blank_lines(draw, case, name):
    n = len(case.written[name])
    case.blank_after[name] = set(draw(st.lists(st.integers(0, n - 1), max_size=3)))


def short_rows(draw, case, name):
    """Rows that leave out trailing fields that may be empty (read as empty)."""
    df = case.written[name]
    columns = list(df.columns)
    meant = case.meant[name]
    trailing = 0  # trailing columns (as written) that may be empty, or extra ones
    while trailing < len(columns) - 2 and (
        columns[-1 - trailing] in MAY_BE_EMPTY or columns[-1 - trailing] not in meant.columns
    ):
        trailing += 1
    if not trailing:
        return
    for i in draw(st.lists(st.integers(0, len(df) - 1), max_size=3, unique=True)):
        k = draw(st.integers(1, trailing))
        for column in columns[len(columns) - k :]:
            df.loc[i, column] = ""
            if column in meant.columns:
                meant.loc[i, column] = ""
        case.trim[name][i] = k


def equivalent_timestamps(draw, case, name="tweets"):
    """The same instant with another offset (meant too: the written offset sets the time of day
    of users without one) and, in the written file only, another ISO 8601 form."""
    df = case.written["tweets"]
    for i in draw(st.lists(st.integers(0, len(df) - 1), max_size=6, unique=True)):
        instant = pd.Timestamp(df.loc[i, "created_at"].strip()).tz_convert("UTC")
        offset = draw(st.sampled_from([0, 330, -480, 345, 840, -720, 60, -150]))
        micros = draw(st.sampled_from([0, 0, 500_000, 123_456]))
        clock = (instant + pd.Timedelta(microseconds=micros, minutes=offset)).tz_localize(None)
        sign, hh, mm = ("+" if offset >= 0 else "-"), abs(offset) // 60, abs(offset) % 60
        case.meant["tweets"].loc[i, "created_at"] = clock.strftime("%Y-%m-%dT%H:%M:%S.%f") + f"{sign}{hh:02d}:{mm:02d}"
        sep = draw(st.sampled_from(["T", " ", "t"]))
        seconds = clock.strftime(":%S")
        if micros:
            seconds += draw(st.sampled_from([".", ","])) + clock.strftime("%f") + draw(st.sampled_from(["", "000"]))
        elif clock.second == 0 and draw(st.booleans()):
            seconds = ""
        forms = [f"{sign}{hh:02d}:{mm:02d}", f"{sign}{hh:02d}{mm:02d}"]
        if mm == 0:
            forms.append(f"{sign}{hh:02d}")
        if offset == 0:
            forms += ["Z", "z"]
        written = clock.strftime("%Y-%m-%d") + sep + clock.strftime("%H:%M") + seconds + draw(st.sampled_from(forms))
        df.loc[i, "created_at"] = draw(st.sampled_from([written, f" {written} "]))


def decorate(draw, url: str) -> str:
    """The same link as a user might paste it: tracking parameters, fragment, upper-case scheme
    and host, www., a trailing slash."""
    parts = urlsplit(url)
    host = parts.netloc
    if draw(st.booleans()) and not host.startswith(("www.", "m.", "music.", "open.")):
        host = "www." + host
    if draw(st.booleans()):
        host = host.upper()
    scheme = draw(st.sampled_from([parts.scheme, parts.scheme.upper()]))
    path = parts.path + ("/" if draw(st.booleans()) and not parts.path.endswith("/") else "")
    tracking = draw(
        st.lists(
            st.sampled_from(
                ["utm_source=twitter", "si=Ab12Cd", "feature=share", "ref=tw", "UTM_MEDIUM=social", "fbclid=x"]
            ),
            max_size=3,
        )
    )
    query = "&".join([q for q in (parts.query, *tracking) if q])
    fragment = draw(st.sampled_from(["", "t=30", "top"]))
    return urlunsplit((scheme, host, path, query, fragment))


_HTTP = re.compile(r"https?://[^\s]+")


def decorate_links(draw, case, name):
    """Links in tweets (or in the catalogue) as pasted; the same tracks, so nothing changes."""
    df = case.written[name]
    column = "text" if name == "tweets" else "url"
    for i in range(len(df)):
        value = df.loc[i, column]
        links = _HTTP.findall(value)
        if not links or "example.com" in value or not draw(st.booleans()):
            continue
        new = decorate(draw, links[0])
        if column == "text":
            new = draw(st.sampled_from([new, new + ".", f"({new})", f"<{new}>", new + "\x01", new + "\x00 ok"]))
        else:
            new = draw(st.sampled_from([new, f" {new} ", new + "\x00", "\t" + new, new + "."]))
        df.loc[i, column] = value.replace(links[0], new, 1)


def control_in_tags(draw, case, name="tracks"):
    df = case.written["tracks"]
    for i in range(len(df)):
        if draw(st.booleans()):
            c = draw(st.sampled_from(CONTROL))
            df.loc[i, "genres"] = c + df.loc[i, "genres"].replace(";", f"{c};") + c


def content(draw, case, name):
    """Odd content in free-text cells, written and meant alike: control characters and NULs,
    quotes, commas and line breaks, non-ASCII text, a 1 MB field."""
    df = case.written[name]
    columns = {"users": [], "tweets": ["text"], "tracks": ["title", "artist", "lyrics"]}[name]
    if not columns:
        return
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(df) - 1))
        column = draw(st.sampled_from(columns))
        kind = draw(st.sampled_from(["control", "quotes", "unicode", "huge"]))
        if kind == "control":
            piece = "".join(
                draw(st.lists(st.sampled_from(CONTROL + ["\t", "\r", "\n", "\r\n"]), min_size=1, max_size=4))
            )
        elif kind == "quotes":
            piece = draw(st.sampled_from(['"', '""', 'a "quoted" word', ",", "\n", "\r\n", '",\n"']))
        elif kind == "unicode":
            piece = draw(st.sampled_from(UNICODE))
        else:
            piece = draw(st.sampled_from(["la ", "x", "so sad "])) * (MEGABYTE // 3)
        value = df.loc[i, column]
        at = draw(st.sampled_from([0, len(value)]))
        new = value[:at] + (" " if at else "") + piece + (" " if not at else "") + value[at:]
        df.loc[i, column] = new
        case.meant[name].loc[i, column] = new


def file_format(draw, case, name):
    case.encoding[name] = draw(st.sampled_from(["utf-8", "utf-8-sig"]))
    case.newline[name] = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    case.gzip[name] = draw(st.booleans())
    case.gz_name[name] = draw(st.booleans()) if case.gzip[name] else draw(st.sampled_from([False, False, True]))
    case.final_newline[name] = draw(st.booleans())


def mixed_line_ends(draw, case, name):
    """A line end drawn per line: CR, LF and CRLF mixed in one file (the header's too)."""
    case.line_ends[name] = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=2, max_size=7))


def id_spaces(draw, case, name):
    """White space around ids is not part of them: the same ids, the same result."""
    columns = {"users": ["user_id"], "tweets": ["tweet_id", "user_id"]}[name]
    df = case.written[name]
    for i in draw(st.lists(st.integers(0, len(df) - 1), max_size=4, unique=True)):
        column = draw(st.sampled_from(columns))
        df.loc[i, column] = (
            draw(st.sampled_from([" ", "\t", "  ", "\u3000"]))
            + df.loc[i, column]
            + draw(st.sampled_from(["", " ", "\t"]))
        )


# The first and last instants of the range (UTC) and the offsets that may reach past them.
EDGE_TIMES = [
    pd.Timestamp("1900-01-01T00:00:00Z"),
    pd.Timestamp("1900-01-01T00:00:00.000001Z"),
    pd.Timestamp("1900-01-01T13:59:00Z"),
    pd.Timestamp("2191-12-31T23:59:59.999999Z"),
    pd.Timestamp("2191-12-31T22:30:00Z"),
    pd.Timestamp("2191-12-31T10:00:00Z"),
]
EDGE_OFFSETS = [0, 840, -840, 60, -60]  # minutes


def written_time(instant: pd.Timestamp, offset: int) -> str:
    clock = (instant + pd.Timedelta(minutes=offset)).tz_localize(None)
    sign, hh, mm = ("+" if offset >= 0 else "-"), abs(offset) // 60, abs(offset) % 60
    return clock.strftime("%Y-%m-%dT%H:%M:%S.%f") + f"{sign}{hh:02d}:{mm:02d}"


def time_edges(draw, case, name="tweets"):
    """Tweets (and sessions) at the edges of the time range, written with offsets of up to 14
    hours, some by users with such offsets; a changed content, so `meant` changes too."""
    for i in draw(st.lists(st.integers(0, len(case.written["tweets"]) - 1), min_size=1, max_size=4, unique=True)):
        value = written_time(draw(st.sampled_from(EDGE_TIMES)), draw(st.sampled_from(EDGE_OFFSETS)))
        case.written["tweets"].loc[i, "created_at"] = value
        case.meant["tweets"].loc[i, "created_at"] = value
    if "utc_offset_minutes" in case.written["users"].columns and draw(st.booleans()):
        i = draw(st.integers(0, len(case.written["users"]) - 1))
        value = draw(st.sampled_from(["840", "-840", "+840"]))
        case.written["users"].loc[i, "utc_offset_minutes"] = value
        case.meant["users"].loc[i, "utc_offset_minutes"] = value


# Applied in this order, each to the files drawn for it.
NEUTRAL = [
    ("shuffle rows", shuffle_rows, NAMES),
    ("content", content, ("tweets", "tracks")),
    ("timestamps", equivalent_timestamps, ("tweets",)),
    ("time edges", time_edges, ("tweets",)),
    ("id spaces", id_spaces, ("users", "tweets")),
    ("links", decorate_links, ("tweets", "tracks")),
    ("control in tags", control_in_tags, ("tracks",)),
    ("drop optional column", drop_optional, ("users", "tweets")),
    ("extra column", extra_column, NAMES),
    ("shuffle columns", shuffle_columns, NAMES),
    ("short rows", short_rows, NAMES),
    ("header spaces", header_spaces, NAMES),
    ("blank lines", blank_lines, NAMES),
    ("format", file_format, NAMES),
    ("mixed line ends", mixed_line_ends, NAMES),
]


# --- damage that must stop ingest -----------------------------------------------------------


def pick_row(draw, case, name) -> int:
    return draw(st.integers(0, len(case.written[name]) - 1))


def set_cell(case, name, i, column, value):
    case.written[name].loc[i, column] = value
    case.trim[name].pop(i, None)  # the damaged cell is written, whatever its place


def e_drop_required(draw, case):
    name = draw(st.sampled_from(NAMES))
    column = draw(st.sampled_from(REQUIRED[name]))
    case.written[name] = case.written[name].drop(columns=[column])
    case.header_names.pop(name, None)
    return Expected(name, None, column, "missing from the header line")


def e_repeated_header(draw, case):
    name = draw(st.sampled_from(NAMES))
    column = draw(st.sampled_from(REQUIRED[name]))
    case.written[name][f"{column}__copy"] = case.written[name][column]
    case.header_names[name] = [
        c.removesuffix("__copy") if c.endswith("__copy") else c.strip() for c in case.written[name].columns
    ]
    if draw(st.booleans()):
        case.header_names[name][-1] = f" {column}"
    return Expected(name, None, column, "more than once")


def duplicate(name, column):
    def damage(draw, case):
        n = len(case.written[name])
        i, j = sorted(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True)))
        value = case.written[name].loc[i, column]
        if name == "tracks":
            value = decorate(draw, value.strip())  # the same track after normalisation
        set_cell(case, name, j, column, value)
        return Expected(name, j + 1, column, f"same as row {i + 1}")

    return damage


def e_unknown_user(draw, case):
    i = pick_row(draw, case, "tweets")
    set_cell(
        case,
        "tweets",
        i,
        "user_id",
        draw(st.sampled_from(["ghost_raw_id", "ALICE_RAW_ID", "bob_raw_id_", "bob\u00a0raw_id"])),
    )
    return Expected("tweets", i + 1, "user_id", "not in users.csv")


BAD_TIMES = [
    "2020-01-01T10:00:00",
    "2020-01-01 10:00",
    "2020-01-01",
    "Wed Jan 01 10:00:00 +0000 2020",
    "01/01/2020 10:00:00 +00:00",
    "1577872800",
    "",
    "  ",
    "2020-13-01T10:00:00Z",
    "2020-02-30T10:00:00Z",
    "2020-01-01T25:00:00Z",
    "2020-01-01T10:00:00+24:00",
    "2020-01-01T10:00:00+0:00",
    "20200101T100000Z",
    "1000-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2020-01-01T10:00:00 UTC",
    "٢٠٢٠-01-01T10:00:00Z",
    "now",
]


def bad_value(name, column, values, words=""):
    def damage(draw, case):
        if column not in case.written[name].columns:  # dropped: nothing to break
            return None
        i = pick_row(draw, case, name)
        set_cell(case, name, i, column, draw(st.sampled_from(values)))
        return Expected(name, i + 1, column, words)

    return damage


def e_long_row(draw, case):
    name = draw(st.sampled_from(NAMES))
    i = pick_row(draw, case, name)
    case.trim[name].pop(i, None)
    case.extra[name][i] = draw(st.sampled_from([["x"], [""], ["a", "b"]]))
    return Expected(name, i + 1, None, "fields")


def e_unclosed_quote(draw, case):
    name = draw(st.sampled_from(NAMES))
    last = len(case.written[name]) - 1
    case.trim[name].pop(last, None)
    case.written[name].iloc[last, -1] = "QQOPEN"
    case.text_edit[name] = lambda text: text.replace("QQOPEN", '"opened', 1)  # never closed
    return Expected(name, last + 1, None, "never closed")


def e_utf16(draw, case):
    name = draw(st.sampled_from(NAMES))
    case.encoding[name] = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32"]))
    return Expected(name, None, None, "UTF-16")


def e_latin1(draw, case):
    name = draw(st.sampled_from(NAMES))
    case.encoding[name] = "latin-1"
    df = case.written[name]
    i, column = pick_row(draw, case, name), draw(st.sampled_from(list(df.columns)))
    set_cell(case, name, i, column, df.loc[i, column] + draw(st.sampled_from(NON_ASCII)))
    header = case.header_names.get(name, list(df.columns))
    for r, row in enumerate(df.itertuples(index=False)):  # the first cell with a Latin-1 letter
        for c, value in enumerate(row):
            if re.search("[\x80-\xff]", value):
                return Expected(name, r + 1, header[c].strip(), "UTF-8")


def file_damage(kind):
    def damage(draw, case):
        name = draw(st.sampled_from(NAMES))
        if kind == "empty":
            case.raw_edit[name] = lambda data: b""
            return Expected(name, None, None, "empty file")
        if kind == "header only":
            case.written[name] = case.written[name].iloc[:0]
            return Expected(name, None, None, "no data rows")
        if kind == "bad gzip":
            case.gzip[name] = True
            case.raw_edit[name] = lambda data: data[: len(data) // 2]
            return Expected(name, None, None, "gzip")
        if kind == "missing":
            case.raw_edit[name] = lambda data: None
            return Expected(name, None, None, "missing file", file_name=f"{name}.csv")
        case.gz_name[name] = False
        case.both.add(name)
        return Expected(name, None, None, "keep one")

    return damage


OUT_OF_RANGE = [
    "1899-12-31T23:59:59.999999Z",
    "2192-01-01T00:00:00Z",
    "1900-01-01T13:59:00+14:00",
    "2191-12-31T10:00:00-14:00",
    "1677-09-21T00:30:00Z",
    "2262-04-11T23:00:00Z",
    "1677-09-20T00:00:00+00:00",
    "2262-04-12T00:00:00Z",
    "0001-01-01T00:00:00Z",
]


def e_not_a_file(draw, case):
    """A folder, a FIFO, /dev/zero or a symlink loop where a raw file should be."""
    name = draw(st.sampled_from(NAMES))
    kind = draw(st.sampled_from(["folder", "fifo", "devzero", "loop"]))
    case.special[name] = kind
    words = {
        "folder": "a folder, not a file",
        "fifo": "not a regular file",
        "devzero": "not a regular file",
        "loop": "symbolic link loop",
    }[kind]
    return Expected(name, None, None, words)


BOMB_CAP_MIB = 4  # > 3 * MEGABYTE, the most that `content` adds to one file


def e_bomb(draw, case):
    """A small gzip file whose one huge field expands past a small byte cap. The cap lies above what
    the neutral damage may add to any file (up to three 1 MB fields), so only the bomb passes it."""
    name = draw(st.sampled_from(NAMES))
    case.gzip[name] = True
    case.limits = Limits(max_bytes=BOMB_CAP_MIB * MIB)
    df = case.written[name]
    column = draw(st.sampled_from(list(df.columns)))
    set_cell(case, name, draw(st.integers(0, len(df) - 1)), column, "x" * (2 * BOMB_CAP_MIB * MIB))
    return Expected(name, None, None, f"more than {BOMB_CAP_MIB} MiB of data after decompression")


def e_row_flood(draw, case):
    """More rows than a small row cap (25: more than any fixture file has)."""
    name = draw(st.sampled_from(NAMES))
    case.limits = Limits(max_rows=25)
    df = case.written[name]
    case.written[name] = pd.concat([df] * (26 // len(df) + 1), ignore_index=True)
    return Expected(name, None, None, "more than 25 data rows")


def e_other_compression(draw, case):
    name = draw(st.sampled_from(NAMES))
    kind = draw(st.sampled_from(["bzip2", "gzip"]))
    case.raw_edit[name] = (
        (lambda data: bz2.compress(data))
        if kind == "bzip2"
        else (lambda data: gzip.compress(gzip.compress(data, mtime=0), mtime=0))
    )
    return Expected(name, None, None, f"{kind}-compressed data")


def e_nul_in_header(draw, case):
    name = draw(st.sampled_from(NAMES))
    columns = case.header_names.get(name, list(case.written[name].columns))
    at = draw(st.integers(0, len(columns) - 1))
    case.header_names[name] = [c + "\x00" if i == at else c for i, c in enumerate(columns)]
    return Expected(name, None, None, "NUL byte")


# Each kind of broken input, with how it is made. A damage may return None when the case
# leaves nothing to break (e.g. the column was dropped): then the folder must be read fine.
ERRORS = {
    "missing column": e_drop_required,
    "repeated column name": e_repeated_header,
    "duplicate user id": duplicate("users", "user_id"),
    "duplicate tweet id": duplicate("tweets", "tweet_id"),
    "duplicate track": duplicate("tracks", "url"),
    "tweet by unknown user": e_unknown_user,
    "bad timestamp": bad_value("tweets", "created_at", BAD_TIMES),
    "time out of range": bad_value(
        "tweets", "created_at", OUT_OF_RANGE, "outside 1900-01-01T00:00:00Z .. 2191-12-31T23:59:59Z (UTC)"
    ),
    "bad group": bad_value("users", "group", ["sad", "Control", "", "depressed"], "unknown group"),
    "bad utc offset": bad_value(
        "users", "utc_offset_minutes", ["900", "1.5", "abc", "١٢٠", "+ 60", "1e2", "-841"], "integer"
    ),
    "bad stress": bad_value("tweets", "stress", ["2", "high", "nan", "inf", "-5.5", "0", "-1,5"]),
    "empty user id": bad_value("users", "user_id", ["", "   "], "empty value"),
    "empty tweet id": bad_value("tweets", "tweet_id", ["", " "], "empty value"),
    "empty user of tweet": bad_value("tweets", "user_id", ["", "\t"], "empty value"),
    "bad track url": bad_value(
        "tracks",
        "url",
        [
            "",
            "not a link",
            "https://open.spotify.com/tr\x00ck/A1",
            "open.spotify.com/track/AAA111",
            "https://%00.com/x",
            "https://a..com/x",
        ],
    ),
    "extra field": e_long_row,
    "unclosed quote": e_unclosed_quote,
    "UTF-16": e_utf16,
    "Latin-1": e_latin1,
    "empty file": file_damage("empty"),
    "header only": file_damage("header only"),
    "bad gzip": file_damage("bad gzip"),
    "missing file": file_damage("missing"),
    "both .csv and .csv.gz": file_damage("both"),
    "not a regular file": e_not_a_file,
    "compressed bomb": e_bomb,
    "row flood": e_row_flood,
    "other compression": e_other_compression,
    "NUL in header": e_nul_in_header,
}


@st.composite
def cases(draw, error: str | None = None):
    """The fixture with random harmless damage and, when `error` names one, one broken thing."""
    case = fixture_case()
    for label, damage, files in NEUTRAL:
        for name in files:
            if draw(st.integers(0, 2)) == 0 or label == "format":
                damage(draw, case, name)
                case.labels.append(f"{label} ({name})")
    if error:
        case.error = ERRORS[error](draw, case)
        case.labels.append(f"error: {error}" if case.error else f"{error}: nothing to break")
    return case


# --- the property ---------------------------------------------------------------------------


def check_error(case: Case, exc: RawDataError) -> None:
    e = case.error
    message = str(exc)
    assert Path(exc.file).name == (e.file_name or case.file_name(e.file)), message
    assert (exc.row, exc.column) == (e.row, e.column), (message, case.labels)
    assert Path(exc.file).name in message
    if e.row is not None:
        assert f"row {e.row}" in message
    if e.column is not None:
        assert f"column '{e.column}'" in message
    assert e.words in message, (e.words, message)
    assert "\n" not in message and not any(m in message for m in MARKERS), message


def check_case(case: Case) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_case(case, Path(tmp) / "raw")
        try:
            result = ingest(folder, KEY, limits=case.limits)
        except RawDataError as exc:
            assert case.error is not None, (f"unexpected error: {exc}", case.labels)
            try:
                check_error(case, exc)
            except AssertionError as failed:
                shown = {p.name: p.read_bytes()[:800] for p in folder.iterdir()}
                raise AssertionError(f"{failed}\nlabels: {case.labels}\nfiles: {shown}") from None
            return "error"
    assert case.error is None, (f"no error, expected {case.error}", case.labels)
    expected = expected_result(case.meant)
    for name in ("sessions", "tweets", "tracks"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(expected, name), obj=name)
    assert result.metrics == expected.metrics
    return "ok"


class Hang(BaseException):
    """A test ran past its time limit (a BaseException: hypothesis does not retry or shrink it)."""


@pytest.fixture(autouse=True)
def time_limit():
    """No hang: a test that runs past its limit fails (on top of hypothesis' deadline)."""

    def expire(signum, frame):
        raise Hang("hostile-input test ran past its time limit")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# No shrinking: a failing example is printed whole (its labels say which damage it got), and
# shrinking examples of this size can take minutes.
SETTINGS = dict(
    deadline=5000,
    derandomize=True,
    database=None,
    print_blob=True,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@settings(max_examples=160, **SETTINGS)
@given(cases())
def test_damage_that_keeps_the_meaning(case):
    """Format damage gives the fixture's result; content damage the result of that content."""
    assert check_case(case) == "ok"


@pytest.mark.parametrize("error", list(ERRORS))
@settings(max_examples=10, **SETTINGS)
@given(data=st.data())
def test_damage_that_must_stop_ingest(error, data):
    """One broken thing among harmless damage: one error naming its file, row and column."""
    case = data.draw(cases(error), label="case")
    check_case(case)


# --- the stage script -----------------------------------------------------------------------

OLD = {
    "data/interim/old.parquet": b"old data",
    "data/ingest.json": b'{"old": true}\n',
    "plots/data/old.png": b"old plot",
}


# Folder names that a user controls and that reach plot titles and messages.
MARKUP_NAMES = ["raw", "$\\undefinedmacro$", "$x$ data", "日本語のデータ", "a\nb\x1b[31m", "🎵 \\$5"]


@settings(max_examples=8, **{**SETTINGS, "deadline": 60_000})
@given(cases(error=None) | st.sampled_from(list(ERRORS)).flatmap(cases), st.sampled_from(MARKUP_NAMES))
def test_stage_script_on_damaged_folders(case, raw):
    """The real command line: exit 2, one `error:` line, no traceback, earlier outputs kept;
    or exit 0 and no warning (a missing glyph, a mathtext error) whatever the folder's name."""
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        shutil.copy(ROOT / "params.yaml", repo / "params.yaml")
        shutil.copy(ROOT / "dvc.yaml", repo / "dvc.yaml")
        set_params(
            repo / "params.yaml",
            {
                "data.raw": raw,
                "data.max_file_mib": max(1, case.limits.max_bytes // MIB),
                "data.max_rows": case.limits.max_rows,
                "data.key_fingerprint": key_fingerprint(KEY),
            },
        )
        write_case(case, repo / raw)
        for rel, data in OLD.items():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            (repo / rel).write_bytes(data)
        env = {**os.environ, KEY_ENV: KEY.decode(), "PYTHONPATH": str(ROOT / "src"), "MPLBACKEND": "Agg"}
        proc = subprocess.run(
            [sys.executable, str(ROOT / "stages" / "ingest.py")],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
        if case.error is None:
            assert proc.returncode == 0 and "Warning" not in proc.stderr, proc.stderr
            sessions = pd.read_parquet(repo / "data/interim/sessions.parquet")
            pd.testing.assert_frame_equal(sessions, expected_result(case.meant).sessions)
            assert json.loads((repo / "data/ingest.json").read_text()) != {"old": True}
            assert not (repo / "data/interim/old.parquet").exists()
            return
        assert proc.returncode == 2, (proc.returncode, proc.stderr)
        lines = proc.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
        assert "Traceback" not in proc.stderr and proc.stdout == ""
        assert f"{case.error.file}.csv" in lines[0]
        assert not any(m in proc.stderr for m in MARKERS)
        for rel, data in OLD.items():
            assert (repo / rel).read_bytes() == data, rel
        leftovers = [p for p in repo.rglob("*") if p.name.endswith(".tmp")]
        assert not leftovers and sorted(p.name for p in (repo / "plots/data").iterdir()) == ["old.png"]


FIND = settings(max_examples=50, database=None, derandomize=True, phases=(Phase.generate,))


def planted(error: str) -> Case:
    """The first drawn case of `error` that has its damage (none: hypothesis.errors.NoSuchExample)."""
    return find(cases(error), lambda case: case.error is not None, settings=FIND)


@pytest.mark.parametrize("error", list(ERRORS))
def test_each_kind_of_damage_is_planted_and_stops_ingest(error):
    """Each kind of broken input plants its damage within a few draws: a generator that always
    found nothing to break would leave test_damage_that_must_stop_ingest checking valid folders."""
    assert check_case(planted(error)) == "error"


def test_the_property_fails_on_a_wrong_outcome():
    """check_case, the property, fails when ingest's outcome differs from the case's in any way."""
    broken = planted("duplicate user id")
    expected_nothing = dataclasses.replace(broken, error=None)
    wrong_row = dataclasses.replace(broken, error=dataclasses.replace(broken.error, row=broken.error.row + 1))
    valid = fixture_case()
    wrong_meaning = fixture_case()
    wrong_meaning.meant["tracks"].loc[0, "lyrics"] += " again"
    expected_an_error = dataclasses.replace(valid, error=Expected("users", 1, "group"))
    for name, case in {
        "an error where none is expected": expected_nothing,
        "the error on another row": wrong_row,
        "another result": wrong_meaning,
        "no error where one is expected": expected_an_error,
    }.items():
        try:
            check_case(case)
        except AssertionError:
            continue
        pytest.fail(f"check_case missed {name}")
    assert check_case(valid) == "ok" and check_case(broken) == "error"
