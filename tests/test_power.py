"""The power study's design and arithmetic (nextgenre.power); the experiments themselves run through
nextgenre.grid, tested in tests/test_grid.py."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nextgenre import power
from nextgenre.params import SPEC
from tests.conftest import ROOT

STRENGTHS = {"zero": 0.0, "weak": 0.3, "strong": 0.8}


def test_cells_plant_one_effect_each_and_switch_only_the_detecting_input():
    cells = dict(power.cells(STRENGTHS))
    assert len(cells) == 13  # zero: plain, stress, notext (shared); weak and strong: 2 + 1 + 2 each
    for name, settings in cells.items():
        planted = [k for k in settings if k.startswith("synthetic.") and settings[k] > 0]
        assert len(planted) <= 1, name
        for key, value in settings.items():
            SPEC[key](key, value)  # a real, valid setting
    assert cells["mood-strong-stress"]["synthetic.mood_effect"] == 0.8
    assert cells["mood-strong-stress"]["features.stress"] and not cells["mood-strong-plain"]["features.stress"]
    assert not cells["lyrics-weak-notext"]["features.text"] and cells["lyrics-weak-plain"]["features.text"]
    assert all(v == 0 for k, v in cells["none-plain"].items() if k.startswith("synthetic."))
    first, rest = power.batches(STRENGTHS)
    assert {n for n, _ in first} | {n for n, _ in rest} == set(cells) and not any("weak" in n for n, _ in first)
    with pytest.raises(ValueError, match="level zero"):
        power.cells({"zero": 0.1, "weak": 0.3})


def test_a_study_of_the_strong_level_alone_runs_its_cells_and_comparisons_only():
    strong = {"strong": 0.8}
    assert [n for n, _ in power.cells(strong)] == [n for n, _ in power.cells(STRENGTHS, ["strong"])]
    assert len(power.cells(strong)) == 5  # memory: plain; lyrics: plain, notext; mood: stress, plain
    assert {r["level"] for r in power.comparisons(strong)} == {"strong"}
    assert power.batches(strong) == [power.cells(strong)]


def test_a_study_of_some_effects_runs_only_their_cells_and_comparisons():
    mood = dict(power.cells(STRENGTHS, effects=["mood"]))
    assert set(mood) == {f"{d}-{v}" for d in ("none", "mood-weak", "mood-strong") for v in ("stress", "plain")}
    assert all(mood[name] == settings for name, settings in power.cells(STRENGTHS) if name in mood)
    assert {r["effect"] for r in power.comparisons(STRENGTHS, ["mood"])} == {"mood"}
    assert sum(len(b) for b in power.batches(STRENGTHS, ["mood"])) == 6
    with pytest.raises(ValueError, match="no planted effect tempo"):
        power.cells(STRENGTHS, effects=["tempo"])


def test_comparisons_pair_the_configuration_that_should_detect_with_the_one_that_should_not():
    rows = {(r["effect"], r["level"]): r for r in power.comparisons(STRENGTHS)}
    assert rows["mood", "zero"] == {
        "effect": "mood",
        "level": "zero",
        "strength": 0.0,
        "with": "none-stress",
        "without": "none-plain",
    }
    assert rows["memory", "strong"]["with"] == "memory-strong-plain" and rows["memory", "strong"]["without"] is None
    assert rows["lyrics", "weak"]["without"] == "lyrics-weak-notext"
    assert rows["lyrics", "zero"]["with"] == "none-plain" and rows["lyrics", "zero"]["without"] == "none-notext"


def test_power_counts_intervals_above_zero_with_exact_intervals():
    row = power.comparisons(STRENGTHS)[0]
    got = power.summarise(row, [(0.1, 0.02, 0.2)] * 4 + [(0.0, -0.05, 0.05)])
    assert got["detected"] == 4 and got["share"] == 0.8 and got["below_zero"] == 0
    low, high = got["share_ci"]
    assert low == pytest.approx(0.2836, abs=1e-3) and high == pytest.approx(0.9949, abs=1e-3)  # Clopper-Pearson
    assert power.summarise(row, [])["seeds"] == 0


def test_false_positive_rate_consistent_with_five_percent():
    assert power.consistent_with_null(0, 5) and power.consistent_with_null(1, 5)
    assert not power.consistent_with_null(2, 5)
    zero = next(r for r in power.comparisons(STRENGTHS) if r["strength"] == 0)
    got = power.summarise(zero, [(0.01, -0.01, 0.03)] * 4 + [(-0.05, -0.09, -0.01)])
    assert got["detected"] == 0 and got["below_zero"] == 1 and got["consistent_with_null"] is True


def test_tables_render_finished_and_missing_comparisons():
    rows = [r for r in power.comparisons(STRENGTHS) if r["level"] == "strong"]
    done = {**power.summarise(rows[0], [(0.1, 0.02, 0.2)] * 5), "model": "lstm", "ceiling_effect": 0.2}
    missing = {**power.summarise(rows[1], []), "model": "gru", "ceiling_effect": None}
    table = power.power_table([done, missing])
    assert "5/5 | power 1.00 [0.48, 1.00]" in table and "not run" in table
    assert "not run" in power.per_seed_table([missing], [1, 2])


def test_interval_over_seeds_holds_the_spread_between_seeds():
    # differences 0.01, 0.02, 0.03, 0.04, 0.05: mean 0.03, sd 0.0158, t(0.975, 4) = 2.776
    low, high = power.seeds_interval([0.01, 0.02, 0.03, 0.04, 0.05])
    assert low == pytest.approx(0.03 - 2.776 * 0.01581 / 5**0.5, abs=1e-4) and high == pytest.approx(0.0496, abs=1e-4)
    assert power.seeds_interval([0.02]) is None
    row = power.comparisons(STRENGTHS)[0]
    got = {**power.summarise(row, [(d, d - 0.01, d + 0.01) for d in (0.01, 0.02, 0.03, 0.04, 0.05)]), "model": "gru"}
    assert got["seeds_ci"] == pytest.approx((low, high))
    assert f"+0.030 [{low:+.3f}, {high:+.3f}]" in power.power_table([{**got, "ceiling_effect": None}])


def test_the_study_refuses_a_configuration_that_its_levels_do_not_have():
    command = ["experiments/power.py", "--levels", "strong", "--only", "mood-weak-stress", "--collect-only"]
    done = subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "--only: no configuration mood-weak-stress" in done.stderr
