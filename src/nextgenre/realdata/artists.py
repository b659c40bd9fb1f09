"""Artist and title keys, and the per-artist Spotify genre table.

Normalisation (one key per artist, the same for the tweets and the table):
1. Unicode NFKD, accents (combining marks) removed, lowercase (casefold);
2. featured artists removed: everything from ` feat.`, ` feat `, ` ft.`, ` featuring `, or a
   bracket that opens with one of them;
3. `&` and `+` read as `and`;
4. a leading `the ` removed;
5. every character that is not a letter or a digit read as a space; spaces collapsed.
A tweet's artist that has no key in the table is tried once more as its first name of a list
(`A & B`, `A and B`, `A, B`, `A x B`, `A vs. B`): the lead artist's genres.

The genre table is the artists file of the Kaggle "Spotify Dataset 1921-2020" (`artists`,
`genres` as a Python-list string such as `['dance pop', 'pop rap']`; other columns ignored).
Rows whose names share one key get the union of their genres.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

import pandas as pd

from nextgenre.errors import RawDataError
from nextgenre.rawvalues import is_text

_FEATURING = re.compile(r"\s*(?:[\(\[]\s*)?\b(?:feat\.?|ft\.|featuring)\s.*$", re.IGNORECASE)
_AND = re.compile(r"\s*[&+]\s*")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_LIST = re.compile(r"\s+(?:&|and|x|vs\.?|with)\s+|\s*,\s*|\s*/\s*", re.IGNORECASE)


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def artist_key(name: str) -> str:
    """The normalised key of an artist name (see the module docstring)."""
    name = _FEATURING.sub("", _fold(name))
    name = _AND.sub(" and ", name)
    name = _NOT_WORD.sub(" ", name).strip()
    if name.startswith("the "):
        name = name[4:]
    return name


def title_key(title: str) -> str:
    """The normalised key of a track title: steps 1, 2 and 5 of the artist key."""
    return _NOT_WORD.sub(" ", _FEATURING.sub("", _fold(title))).strip()


def lead_artist(name: str) -> str:
    """The first name of a list of artists (`A & B` -> `A`)."""
    return _LIST.split(_FEATURING.sub("", name), maxsplit=1)[0]


def _genre_list(text: str, path: Path, row: int) -> list[str]:
    try:
        value = ast.literal_eval(text) if text.strip() else []
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        value = None
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and is_text(v) for v in value):
        raise RawDataError(path, row, "genres", "not a list of genre names such as ['dance pop', 'pop rap']")
    return list(value)


def read_genre_table(path: str | Path) -> dict[str, list[str]]:
    """artist key -> its Spotify genres (possibly empty). RawDataError naming file, row, column."""
    path = Path(path)
    if not path.is_file():
        raise RawDataError(path, None, None, "genre table not found")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise RawDataError(path, None, None, f"not a readable UTF-8 CSV file ({type(exc).__name__})") from None
    for column in ("artists", "genres"):
        if column not in table.columns:
            raise RawDataError(path, None, column, "missing from the header line")
    if table.empty:
        raise RawDataError(path, None, None, "no data rows (only a header line)")
    genres: dict[str, list[str]] = {}
    for row, (artist, text) in enumerate(zip(table["artists"], table["genres"]), start=1):
        key = artist_key(artist)
        if key:
            merged = genres.setdefault(key, [])
            merged.extend(g for g in _genre_list(text, path, row) if g not in merged)
    return genres


def match_artist(name: str, table: dict[str, list[str]]) -> tuple[str, str | None]:
    """(key, how it matched: 'exact', 'lead artist' or None) of a tweet's artist."""
    key = artist_key(name)
    if key in table:
        return key, "exact"
    lead = artist_key(lead_artist(name))
    if lead and lead != key and lead in table:
        return lead, "lead artist"
    return key, None
