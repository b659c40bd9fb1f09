"""Uncertainty of test accuracies: bootstrap intervals and McNemar's test for paired predictions.

Test samples of one user are not independent (a user contributes many samples, and the split
is by user), so the report resamples *users* (a cluster bootstrap): each resample draws as
many test users as there are, with replacement, and takes all their samples. Without clusters
every sample is its own cluster (the ordinary bootstrap).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import binomtest, chi2

N_RESAMPLES = 2000
LEVEL = 0.95
EXACT_BELOW = 25  # McNemar: exact binomial test when there are fewer discordant pairs


def bootstrap_mean_ci(
    values, clusters=None, n_resamples: int = N_RESAMPLES, level: float = LEVEL, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of per-sample `values` (e.g. 1 = correct).

    `clusters` (one label per sample, e.g. the user) makes it a cluster bootstrap. The same
    seed gives the same resamples, so intervals of two models on the same samples are paired.
    """
    values = np.asarray(values, dtype=np.float64)
    return bootstrap_ratio_ci(values, np.ones_like(values), clusters, n_resamples, level, seed)


def bootstrap_ratio_ci(
    numerator, denominator, clusters=None, n_resamples: int = N_RESAMPLES, level: float = LEVEL, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of sum(numerator) / sum(denominator) (per-sample values),
    resampling clusters as `bootstrap_mean_ci` does (with the same seed, the same resamples).
    Resamples whose denominator sum is not positive are left out (the ratio is undefined there)."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    if numerator.size == 0:
        raise ValueError("bootstrap of an empty sample")
    if numerator.shape != denominator.shape:
        raise ValueError("numerator and denominator need one value per sample each")
    if clusters is None:
        clusters = np.arange(numerator.size)
    _, cluster_index = np.unique(np.asarray(clusters), return_inverse=True)
    sums = np.bincount(cluster_index, weights=numerator)
    sizes = np.bincount(cluster_index, weights=denominator)
    rng = np.random.default_rng(seed)
    ratios = np.empty(n_resamples)
    chunk = max(1, 2_000_000 // len(sums))  # bounded memory for the (resamples x clusters) draw
    for lo in range(0, n_resamples, chunk):
        hi = min(lo + chunk, n_resamples)
        drawn = rng.integers(0, len(sums), size=(hi - lo, len(sums)))
        below = sizes[drawn].sum(axis=1)
        ratios[lo:hi] = np.where(below > 0, sums[drawn].sum(axis=1) / np.where(below > 0, below, 1.0), np.nan)
    tail = (1 - level) / 2 * 100
    low, high = np.nanpercentile(ratios, [tail, 100 - tail])
    return float(low), float(high)


def accuracy_ci(y_true, y_pred, clusters=None, seed: int = 0, **kwargs) -> tuple[float, float]:
    """Percentile bootstrap interval of accuracy."""
    correct = np.asarray(y_true) == np.asarray(y_pred)
    return bootstrap_mean_ci(correct, clusters, seed=seed, **kwargs)


def mcnemar(correct_a, correct_b) -> dict:
    """McNemar's test of two classifiers on the same samples (booleans: was each one right?).

    b = samples only A got right, c = samples only B got right. With fewer than 25 discordant
    pairs the exact two-sided binomial test (statistic = b); otherwise the chi-square statistic
    with continuity correction, (|b - c| - 1)^2 / (b + c), on 1 degree of freedom.
    """
    correct_a, correct_b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    if correct_a.shape != correct_b.shape:
        raise ValueError("McNemar needs paired predictions on the same samples")
    b = int(np.sum(correct_a & ~correct_b))
    c = int(np.sum(~correct_a & correct_b))
    if b + c == 0:
        return {"b": 0, "c": 0, "statistic": 0.0, "p_value": 1.0, "method": "exact binomial"}
    if b + c < EXACT_BELOW:
        p = binomtest(b, b + c, 0.5).pvalue
        return {"b": b, "c": c, "statistic": float(b), "p_value": float(min(p, 1.0)), "method": "exact binomial"}
    statistic = (abs(b - c) - 1) ** 2 / (b + c)
    return {
        "b": b,
        "c": c,
        "statistic": float(statistic),
        "p_value": float(chi2.sf(statistic, 1)),
        "method": "chi-square with continuity correction",
    }
