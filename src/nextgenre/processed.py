"""data/processed/: the one contract between the features stage and everything after it
(training, evaluation, baselines, report).

Files, all written by `write_processed` and all required by `read_processed`:
- vectors.npy (float32, n_sessions x input_dim): every session's input vector, stored once;
- genres.npy (int8, n_sessions): the session's genre, an index in GENRES;
- kept.npy (bool, n_sessions): False = left out under `features.missing_stress: drop`;
- samples.parquet: target, start, label, split, group, user_index (one row per sample; its history
  is the session rows start..target-1);
- stress_overrides.parquet: target, session, stress: the stress of a history session whose
  window is cut at its target's time (nextgenre.stress_windows);
- meta.json: classes, input_dim, layout (offsets of each part of a vector), history, counts;
  with features.artist, artist_vocabulary (the rows of the artist embedding, nextgenre.artists).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from nextgenre.constants import CLASS_SCHEMES, GENRES
from nextgenre.errors import NextgenreError

SPLITS = ("train", "val", "test")
FILES = ("vectors.npy", "genres.npy", "kept.npy", "samples.parquet", "stress_overrides.parquet", "meta.json")


@dataclass
class Processed:
    """Everything the features stage writes to data/processed/."""

    vectors: np.ndarray  # float32 (n_sessions, input_dim)
    genres: np.ndarray  # int8 (n_sessions,): index in GENRES
    kept: np.ndarray  # bool (n_sessions,): False = left out by missing_stress=drop
    samples: pd.DataFrame  # target, start, label, split, group, user_index
    overrides: pd.DataFrame  # target, session, stress: stress of a window cut at the target
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if not len(self.genres) == len(self.vectors) == len(self.kept):
            raise NextgenreError("data/processed: genres.npy, vectors.npy and kept.npy differ in length")
        if len(self.classes) not in CLASS_SCHEMES:
            raise NextgenreError(f"meta.json: {len(self.classes)} classes; expected 6, 4 or 3")

    @property
    def classes(self) -> list[str]:
        return list(self.meta["classes"])

    @property
    def stress_column(self) -> int | None:
        """The column of the stress value in a session vector; None without stress."""
        stress = self.meta.get("layout", {}).get("stress")
        return int(stress[0]) if stress else None

    @property
    def artist_input(self) -> dict | None:
        """Where the vectors carry the artist index (features.artist): its column and the size of
        its vocabulary, what nextgenre.models' ArtistEmbedding needs; None otherwise."""
        artist = self.meta.get("layout", {}).get("artist")
        return {"column": int(artist[0]), "vocabulary": int(self.meta["artist_vocabulary"])} if artist else None

    def numeric_columns(self) -> np.ndarray:
        """The columns of a session vector that are numbers to compute with: all but the artist
        index (an identifier, which only the models' embedding reads)."""
        columns = np.arange(self.meta["input_dim"])
        artist = self.meta.get("layout", {}).get("artist")
        return columns if not artist else columns[(columns < artist[0]) | (columns >= artist[1])]

    def positions(self, split: str) -> np.ndarray:
        """Positions (rows of samples) of the samples of one split."""
        return np.flatnonzero(self.samples["split"].to_numpy() == split)

    @property
    def class_of_genre(self) -> np.ndarray:
        """Class index of each genre index in this scheme, -1 where the genre maps to no class."""
        scheme = CLASS_SCHEMES[len(self.classes)]
        return np.array([self.classes.index(scheme[g]) if scheme[g] is not None else -1 for g in GENRES])

    @property
    def session_class(self) -> np.ndarray:
        """Class of every session; -1 where its genre maps to no class or the session is left out."""
        return np.where(self.kept, self.class_of_genre[self.genres], -1)


def no_overrides() -> pd.DataFrame:
    """An empty stress_overrides table (no stress in the vectors, or no window reaches a target)."""
    return pd.DataFrame(
        {"target": np.zeros(0, np.int64), "session": np.zeros(0, np.int64), "stress": np.zeros(0, np.float32)}
    )


def write_processed(folder, processed: Processed) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "vectors.npy", processed.vectors)
    np.save(folder / "genres.npy", processed.genres)
    np.save(folder / "kept.npy", processed.kept)
    processed.samples.to_parquet(folder / "samples.parquet", index=False)
    processed.overrides.to_parquet(folder / "stress_overrides.parquet", index=False)
    (folder / "meta.json").write_text(json.dumps(processed.meta, indent=2, sort_keys=True) + "\n")


def read_processed(folder, mmap: bool = True) -> Processed:
    """Read data/processed/; the vectors are memory-mapped (not loaded whole) unless mmap=False."""
    folder = Path(folder)
    for name in FILES:
        if not (folder / name).exists():
            raise NextgenreError(f"{folder / name}: not found (run the features stage first)")
    mode = "r" if mmap else None
    return Processed(
        vectors=np.load(folder / "vectors.npy", mmap_mode=mode),
        genres=np.load(folder / "genres.npy"),
        kept=np.load(folder / "kept.npy"),
        samples=pd.read_parquet(folder / "samples.parquet"),
        overrides=pd.read_parquet(folder / "stress_overrides.parquet"),
        meta=json.loads((folder / "meta.json").read_text()),
    )
