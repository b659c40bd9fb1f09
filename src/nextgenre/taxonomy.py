"""Raw platform genre tags -> the study's six parent genres, through taxonomy.yaml.

Tags are compared lowercased, with '-', '_', control characters and repeated spaces read
as one space.
A tag listed nowhere resolves to `others` and is counted as unlisted. A track whose tags
resolve to two or more of the five named genres is ambiguous and dropped; `others` tags
never make a track ambiguous. A track without any tag is dropped too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nextgenre.constants import GENRES, NAMED_GENRES

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.yaml")

AMBIGUOUS = "ambiguous_genre"
NO_GENRE = "no_genre"


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
    def load(cls, path: str | Path = TAXONOMY_FILE) -> "Taxonomy":
        return cls(load_mapping(path))

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
