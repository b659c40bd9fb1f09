"""The artist input (features.artist): each session's artist as an index in a vocabulary fitted on
the training users' sessions only, so nothing of a validation or test user's listening enters it.

Indexes, stored as one number in the session vector (the last column; nextgenre.models'
ArtistEmbedding looks it up): 1 = an artist not in the vocabulary (every other artist shares it),
2.. = the vocabulary's artists in sorted order; 0 never marks a real session (an all-zero step is
a masked one). Names are compared trimmed and case-folded; a missing name is unknown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNKNOWN = 1
FIRST_KNOWN = 2


def normalised(artists: pd.Series) -> pd.Series:
    """Trimmed, case-folded names; missing or empty names are None."""
    names = artists.astype("string").str.strip().str.casefold()
    return names.where(names.notna() & (names != ""), None).astype(object)


def fit_vocabulary(artists: pd.Series, training: np.ndarray) -> pd.Index:
    """The distinct artists of the sessions marked `training` (booleans, one per session), sorted."""
    names = normalised(artists)[np.asarray(training, dtype=bool)].dropna()
    return pd.Index(sorted(names.unique()))


def artist_indexes(artists: pd.Series, vocabulary: pd.Index) -> np.ndarray:
    """float32 index of every session's artist (see the module docstring)."""
    position = vocabulary.get_indexer(normalised(artists))
    return np.where(position >= 0, position + FIRST_KNOWN, UNKNOWN).astype(np.float32)


def vocabulary_size(vocabulary: pd.Index) -> int:
    """Rows of the embedding table: the masked 0, the unknown 1 and every known artist."""
    return len(vocabulary) + FIRST_KNOWN
