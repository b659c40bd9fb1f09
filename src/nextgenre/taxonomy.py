"""Raw platform genre tags -> the study's six parent genres, through taxonomy.yaml.

Tags are compared lowercased, with '-', '_', control characters and repeated spaces read
as one space.
A tag listed nowhere resolves to `others` and is counted as unlisted. A track whose tags
resolve to two or more of the five named genres is ambiguous and dropped; `others` tags
never make a track ambiguous. A track without any tag is dropped too.

Word rules (taxonomy_words.yaml) give tags that taxonomy.yaml does not list a parent genre, for
sources with thousands of micro-genres (Spotify's artist genres, nextgenre.realdata): the last
of the rule words that stands in the tag decides (`Taxonomy.tag_parent`). `Taxonomy.resolve`,
which ingest uses on the raw folder's tags, keeps its exact-list behaviour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nextgenre.constants import GENRES, NAMED_GENRES

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.yaml")
WORDS_FILE = Path(__file__).with_name("taxonomy_words.yaml")

AMBIGUOUS = "ambiguous_genre"
NO_GENRE = "no_genre"
LISTED = "listed tag"  # how a tag got its parent: listed in taxonomy.yaml,
NO_RULE = "no rule word"  # or no rule word (others); a word rule is "word '<word>'"
AMBIGUOUS_RULES = ("drop", "majority")  # an artist whose tags name two parents: see resolve_tags


def load_mapping(path: str | Path = TAXONOMY_FILE) -> dict[str, list[str]]:
    """taxonomy.yaml as read: parent genre -> its raw tags."""
    return yaml.safe_load(Path(path).read_text())


def normalize_tag(tag: str) -> str:
    """A tag as the taxonomy compares it: lowercase, '-', '_' and control characters as spaces,
    spaces collapsed."""
    return re.sub(r"[\s\x00-\x1f\x7f-\x9f]+", " ", re.sub(r"[-_]", " ", tag.lower())).strip()


def split_tags(genres: str) -> list[str]:
    """The normalised, non-empty tags of a `;`-separated tag list."""
    return [t for t in (normalize_tag(raw) for raw in genres.split(";")) if t]


@dataclass
class Resolution:
    """The outcome of resolving the tags of one track: a genre, or the reason it is dropped."""

    genre: str | None
    reason: str | None = None
    unlisted: list[str] = field(default_factory=list)


class Taxonomy:
    """The mapping from normalised tag to parent genre."""

    def __init__(self, mapping: dict[str, list[str]]):
        unknown = set(mapping) - set(GENRES)
        if unknown:
            raise ValueError(f"taxonomy: unknown parent genres {sorted(unknown)}")
        self.tag_genre: dict[str, str] = {}
        for genre, tags in mapping.items():
            for tag in tags:
                self.tag_genre[normalize_tag(str(tag))] = genre

    @classmethod
    def load(cls, path: str | Path = TAXONOMY_FILE, words: str | Path = WORDS_FILE) -> Taxonomy:
        taxonomy = cls(load_mapping(path))
        taxonomy.words = _word_rules(yaml.safe_load(Path(words).read_text()))
        return taxonomy

    words: list[tuple[re.Pattern, str, str]] = []  # (pattern, word, parent) of the word rules

    def tag_parent(self, tag: str) -> tuple[str, str]:
        """(parent genre, rule) of one tag: listed in taxonomy.yaml, else the last rule word in
        it, else others."""
        tag = normalize_tag(tag)
        if tag in self.tag_genre:
            return self.tag_genre[tag], LISTED
        last = None
        for pattern, word, genre in self.words:
            for match in pattern.finditer(tag):
                if last is None or match.end() > last[0]:
                    last = (match.end(), word, genre)
        if last is None:
            return "others", NO_RULE
        return last[2], f"word '{last[1]}'"

    def resolve_tags(self, tags: list[str], ambiguous: str = "drop") -> tuple[str | None, str]:
        """(parent genre, rule) of a list of tags (an artist's genres), or (None, reason).

        No tag: (None, no_genre). Tags that name two or more of the five named genres: the
        paper's rule drops them, (None, ambiguous_genre); with `ambiguous="majority"` the named
        genre with the most tags wins and only a tie is dropped. The rule returned is that of
        the first tag that gave the chosen genre."""
        if not tags:
            return None, NO_GENRE
        parents = [self.tag_parent(t) for t in tags]
        named = [g for g, _ in parents if g in NAMED_GENRES]
        counts = {g: named.count(g) for g in dict.fromkeys(named)}
        if len(counts) >= 2:
            top = sorted(counts.values(), reverse=True)
            if ambiguous == "drop" or top[0] == top[1]:
                return None, AMBIGUOUS
            genre = max(counts, key=counts.get)
        else:
            genre = named[0] if named else "others"
        return genre, next(rule for g, rule in parents if g == genre)

    def resolve(self, genres: str) -> Resolution:
        """Resolve a track's `;`-separated raw tags to one genre, or say why it is dropped."""
        tags = split_tags(genres)
        if not tags:
            return Resolution(None, NO_GENRE)
        unlisted = [t for t in tags if t not in self.tag_genre]
        named = {self.tag_genre[t] for t in tags if self.tag_genre.get(t) in NAMED_GENRES}
        if len(named) >= 2:
            return Resolution(None, AMBIGUOUS, unlisted)
        return Resolution(named.pop() if named else "others", None, unlisted)


def _word_rules(mapping: dict[str, list[str]]) -> list[tuple[re.Pattern, str, str]]:
    unknown = set(mapping) - set(NAMED_GENRES)
    if unknown:
        raise ValueError(f"taxonomy words: not a named parent genre: {sorted(unknown)}")
    return [
        (re.compile(rf"(?<!\S){re.escape(normalize_tag(str(w)))}(?!\S)"), normalize_tag(str(w)), genre)
        for genre, words in mapping.items()
        for w in words
    ]
