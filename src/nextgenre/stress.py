"""Stress score of a tweet on TensiStrength's scale: -1 (no stress) to -5 (high stress).

TensiStrength (Thelwall 2017), the paper's tool, is a Java program with no Python port and is
not available offline. Its stand-in here is VADER (vaderSentiment's SentimentIntensityAnalyzer),
a lexicon-and-rules sentiment scorer. VADER gives a `compound` score c in [-1, 1]; the mapping

    stress = -1 - 4 * max(0, -c)

sends neutral and positive texts to -1 (no stress) and the most negative texts towards -5.
The result is continuous (TensiStrength gives integers); the window means that use it are
continuous anyway. This measures negative sentiment, not stress: a proxy, and labelled one.

A precomputed score (a `stress` column in tweets.csv, e.g. from the real TensiStrength) wins
over the scorer wherever it is given; see `scores`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nextgenre.constants import STRESS_MAX, STRESS_MIN

SCORER_NAME = "VADER compound (vaderSentiment), mapped to -1..-5"
# VADER's time grows with the square of a text's word count (a 1 MB text would take hours).
# A tweet has at most 280 characters; longer texts are scored on their first MAX_CHARS.
MAX_CHARS = 1000

_ANALYZER = None


def _analyzer():
    global _ANALYZER
    if _ANALYZER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _ANALYZER = SentimentIntensityAnalyzer()
    return _ANALYZER


def compound_to_stress(compound):
    """Map VADER compound scores (-1..1) onto TensiStrength's scale (-1..-5)."""
    c = np.asarray(compound, dtype=float)
    return np.clip(STRESS_MAX - (STRESS_MAX - STRESS_MIN) * np.maximum(0.0, -c), STRESS_MIN, STRESS_MAX)


def score_texts(texts) -> np.ndarray:
    """Stress of each text (of its first MAX_CHARS characters); each distinct text is scored once."""
    texts = pd.Series(texts, dtype=object)
    codes, unique = pd.factorize(texts, use_na_sentinel=False)
    analyzer = _analyzer()
    compound = np.fromiter(
        (analyzer.polarity_scores(str(t)[:MAX_CHARS])["compound"] for t in unique), dtype=float, count=len(unique)
    )
    return compound_to_stress(compound)[codes] if len(texts) else np.empty(0)


def scores(texts, override=None) -> np.ndarray:
    """Stress of each text; where `override` holds a number it is used instead of the scorer."""
    texts = pd.Series(texts, dtype=object).reset_index(drop=True)
    result = np.full(len(texts), np.nan)
    if override is not None:
        result[:] = pd.Series(override).reset_index(drop=True).to_numpy(dtype=float)
    todo = np.isnan(result)
    if todo.any():
        result[todo] = score_texts(texts[todo])
    return result
