"""The track catalogue of the synthetic stand-in: raw platform tags, titles, artists, lyrics, and
the track of every share.

Lyrics come from genre-specific word pools; jazz and electronic tracks are often instrumental
(empty lyrics, `instrumental_share`); raw tags are platform-style subgenres from taxonomy.yaml,
with spelling variants, extra `others` tags and unlisted tags; extra tracks carry tags of two
named parent genres (ambiguous: ingest drops them); each track has a canonical url on one of
five platforms (nextgenre.synthetic.links).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nextgenre.constants import GENRES
from nextgenre.synthetic import links
from nextgenre.synthetic import text as words

LYRICS_MISSING = 0.03  # tracks of the other genres with no lyrics found
ZIPF_EXPONENT = 0.8  # track popularity within a genre

# Tags that taxonomy.yaml does not list (they resolve to `others`).
UNLISTED_TAGS = ("vaporwave", "polka", "chiptune", "sea shanty", "bossa nova", "new age", "anime", "kids music")
AMBIGUOUS_PAIRS = (
    ("pop", "rock"),
    ("hiphop", "pop"),
    ("electronic", "pop"),
    ("rock", "electronic"),
    ("hiphop", "electronic"),
    ("jazz", "hiphop"),
)


def _variant(rng, tag: str) -> str:
    """A platform-style spelling of a tag (same after taxonomy normalisation)."""
    r = rng.random()
    if r < 0.1:
        return tag.title()
    if r < 0.15:
        return tag.replace(" ", "-")
    if r < 0.18:
        return tag.replace(" ", "_").upper()
    return tag


def _tags(rng, genre: str, taxonomy: dict, unlisted: list[str]) -> str:
    if genre == "others":
        pool = list(taxonomy["others"]) + unlisted
        n = 1 + int(rng.random() < 0.3)
        chosen = list(rng.choice(pool, size=n, replace=False))
    else:
        n = 1 + int(rng.random() < 0.35) + int(rng.random() < 0.1)
        chosen = list(rng.choice(taxonomy[genre], size=n, replace=False))
        if rng.random() < 0.2:
            chosen.append(str(rng.choice(taxonomy["others"])))
    return ";".join(_variant(rng, str(t)) for t in chosen)


def _ambiguous_tags(rng, taxonomy: dict) -> str:
    a, b = AMBIGUOUS_PAIRS[int(rng.integers(0, len(AMBIGUOUS_PAIRS)))]
    chosen = [str(rng.choice(taxonomy[a])), str(rng.choice(taxonomy[b]))]
    if rng.random() < 0.3:
        chosen.append(str(rng.choice(taxonomy["others"])))
    return ";".join(_variant(rng, t) for t in rng.permutation(chosen))


def build_catalogue(
    rng, sessions_per_genre: np.ndarray, n_ambiguous: int, n_uncatalogued: int, config: dict, taxonomy: dict
) -> pd.DataFrame:
    """Tracks: kept genres 0..5, ambiguous (-1), and uncatalogued links (-2, not written)."""
    listed = {t for tags in taxonomy.values() for t in tags}
    unlisted = [t for t in UNLISTED_TAGS if t not in listed]
    n_tracks = [max(2, int(round(n * config["tracks_per_session"]))) for n in sessions_per_genre]
    n_tracks += [max(1, int(round(n_ambiguous * config["tracks_per_session"]))), n_uncatalogued]
    genre = np.repeat(np.r_[np.arange(len(GENRES)), -1, -2], n_tracks)
    rows = []
    for g in genre:
        name = GENRES[g] if g >= 0 else "pop"
        if g == -1:
            tags = _ambiguous_tags(rng, taxonomy)
        elif g == -2:
            tags = ""
        else:
            tags = _tags(rng, name, taxonomy, unlisted)
        instrumental = config["instrumental_share"] if name in ("jazz", "electronic") else LYRICS_MISSING
        text = "" if g == -2 or rng.random() < instrumental else words.lyrics(rng, name)
        rows.append((words.title(rng, name), words.artist(rng), tags, text))
    tracks = pd.DataFrame(rows, columns=["title", "artist", "genres", "lyrics"])
    tracks["genre"] = genre
    tracks["platform"] = rng.choice(len(links.PLATFORMS), size=len(genre), p=links.PLATFORM_WEIGHTS)
    tracks["url"] = links.canonical_urls(
        rng, tracks["platform"].to_numpy(), tracks["title"].tolist(), tracks["artist"].tolist()
    )
    return tracks


def popularity(tracks: pd.DataFrame, genre: int) -> tuple[np.ndarray, np.ndarray]:
    """Catalogue rows of a genre's tracks and their Zipf-like popularity weights (by row order)."""
    rows = np.flatnonzero(tracks["genre"].to_numpy() == genre)
    return rows, 1.0 / np.arange(1, len(rows) + 1) ** ZIPF_EXPONENT


def pick_tracks(rng, tracks: pd.DataFrame, genre: np.ndarray) -> np.ndarray:
    """A catalogue row per share of the given genre, by popularity within the genre."""
    out = np.empty(len(genre), dtype=np.int64)
    for g in np.unique(genre):
        rows, p = popularity(tracks, g)
        where = genre == g
        out[where] = rows[rng.choice(len(rows), size=where.sum(), p=p / p.sum())]
    return out
