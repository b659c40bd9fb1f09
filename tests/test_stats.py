import numpy as np
import pytest
from scipy.stats import binomtest

from nextgenre.stats import accuracy_ci, bootstrap_mean_ci, mcnemar


def test_bootstrap_interval_covers_the_estimate_and_narrows_with_n():
    rng = np.random.default_rng(0)
    widths = []
    for n in (100, 10_000):
        correct = rng.random(n) < 0.6
        low, high = bootstrap_mean_ci(correct, seed=1)
        assert low <= correct.mean() <= high
        widths.append(high - low)
    assert widths[1] < widths[0] / 5  # about 1/sqrt(100) = 1/10 of the width
    # the ordinary bootstrap of a proportion: width close to 2 * 1.96 * sqrt(p(1-p)/n)
    assert widths[1] == pytest.approx(2 * 1.96 * np.sqrt(0.24 / 10_000), rel=0.15)


def test_bootstrap_is_seeded():
    correct = np.random.default_rng(0).random(500) < 0.5
    assert bootstrap_mean_ci(correct, seed=3) == bootstrap_mean_ci(correct, seed=3)
    assert bootstrap_mean_ci(correct, seed=3) != bootstrap_mean_ci(correct, seed=4)


def test_cluster_bootstrap_is_wider_when_users_differ():
    # 40 users of 50 samples each: half always right, half always wrong.
    users = np.repeat(np.arange(40), 50)
    correct = users % 2 == 0
    iid = bootstrap_mean_ci(correct, seed=0)
    clustered = bootstrap_mean_ci(correct, clusters=users, seed=0)
    assert clustered[1] - clustered[0] > 3 * (iid[1] - iid[0])
    assert clustered[0] <= 0.5 <= clustered[1]


def test_accuracy_ci_of_a_perfect_classifier_is_a_point():
    y = np.arange(50) % 3
    assert accuracy_ci(y, y) == (1.0, 1.0)


def test_mcnemar_chi_square_by_hand():
    # b = 30 (only A right), c = 10 (only B right), 60 both right
    a = np.array([1] * 30 + [0] * 10 + [1] * 60, bool)
    b = np.array([0] * 30 + [1] * 10 + [1] * 60, bool)
    result = mcnemar(a, b)
    assert (result["b"], result["c"]) == (30, 10)
    assert result["statistic"] == pytest.approx((20 - 1) ** 2 / 40)  # 9.025
    assert result["p_value"] == pytest.approx(0.002663, abs=1e-5)
    assert result["method"].startswith("chi-square")
    swapped = mcnemar(b, a)
    assert (swapped["b"], swapped["c"]) == (10, 30)
    assert swapped["p_value"] == pytest.approx(result["p_value"])


def test_mcnemar_exact_for_few_discordant_pairs():
    a = np.array([1] * 8 + [0] * 2 + [1] * 5, bool)
    b = np.array([0] * 8 + [1] * 2 + [1] * 5, bool)
    result = mcnemar(a, b)
    assert result["method"] == "exact binomial"
    # two-sided: P(X <= 2 or X >= 8), X ~ Bin(10, 0.5) = 2 * 56/1024
    assert result["p_value"] == pytest.approx(2 * 56 / 1024)
    assert result["p_value"] == pytest.approx(binomtest(8, 10, 0.5).pvalue)


def test_mcnemar_without_discordant_pairs():
    same = np.array([1, 0, 1, 1], bool)
    assert mcnemar(same, same) == {"b": 0, "c": 0, "statistic": 0.0, "p_value": 1.0, "method": "exact binomial"}


def test_mcnemar_balanced_disagreement_is_not_significant():
    a = np.array([1] * 40 + [0] * 40, bool)
    result = mcnemar(a, ~a)
    assert result["p_value"] > 0.8
