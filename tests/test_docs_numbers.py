"""Numbers that README and docs/ quote from committed result files equal those files.

Each check is (page, template, result file). The template is the text as the page shows it, with
each number written as `{field:format}`: a key path into a JSON or YAML file (`lstm.ci_low`; `*`
takes every key at that level, and `max(...)`, `min(...)`, `sum(...)`, `count(...)` reduce what it
takes), or a cell of a markdown table, `{row|column}`, where `row` is the table's first cells
joined by `/` and the format `first` keeps the cell's first word. The test renders the template
from the file and looks for the result in the page (white space collapsed): a number that drifts
in either place fails. A new quoted number gets its line here.
"""

from __future__ import annotations

import json
import re
import string
from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

HEADLINE, COMPARISON, IMPORT = "metrics/headline.json", "reports/comparison.json", "metrics/import.json"
EMBED, PAPER = "metrics/embed.json", "paper/tables.yaml"
REAL_MD, REAL_JSON = "reports/real_lastfm.md", "reports/real_lastfm.json"
GRID, POWER, POWER_02 = "reports/paper_table.md", "reports/power.md", "reports/power-scale0.2.md"
POWER_3M = "reports/power-scale0.2-strong.md"  # the three models in the strong cells
KNOWN, THEME = "reports/benchmarks/known_answers.md", "reports/benchmarks/theme_probe.md"
MEAN_DIFF = "mean difference [95% CI over seeds]"
SHARE, HEADROOM = "headroom share, mean", "headroom (ceiling - best baseline, mean)"


def interval(model: str, prefix: str = "") -> str:
    """`0.585 [0.573, 0.598]` of a model or baseline in comparison.json / headline.json."""
    return f"{{{prefix}{model}.accuracy:.3f}} [{{{prefix}{model}.ci_low:.3f}}, {{{prefix}{model}.ci_high:.3f}}]"


def row(label: str, model: str, prefix: str) -> str:
    """A row of docs/results.md's table of predictors."""
    return f"| {label} | " + interval(model, prefix).replace(" [", " | [", 1) + " |"


def effect(cell: str, model: str, column: str = MEAN_DIFF, spec: str = "") -> str:
    """A cell of a power report's table: `{effect/level/model|column}`."""
    return f"{{{cell}/{model}|{column}{':' + spec if spec else ''}}}"


P6 = "final.pooled.real-6-class."  # the pooled 6-class cross-validation in reports/real_lastfm.json
ARTIST = "final.artist_effects.real-6-class."
P4, P3 = "final.pooled.real-4-class.", "final.pooled.real-3-class."


def margin(path: str) -> str:
    """`-0.001 [-0.005, +0.003]`: a paired difference and its interval (`margin`, `ci_low`, `ci_high`)."""
    return f"{{{path}.margin:+.3f}} [{{{path}.ci_low:+.3f}}, {{{path}.ci_high:+.3f}}]"


MEM, LYR, MOOD = "memory (plain vs Markov)", "lyrics (plain vs notext)", "mood (stress vs plain)"
STRONG, WEAK = "strong (0.8)", "weak (0.3)"

CHECKS = [
    # README: what it found
    (
        "README.md",
        "test accuracy is LSTM "
        + interval("lstm")
        + ", GRU "
        + interval("gru")
        + " and the self-attention model "
        + interval("sasrec"),
        HEADLINE,
    ),
    ("README.md", "over {n_test_users:,} test users", COMPARISON),
    ("README.md", "against {best_baseline.accuracy:.3f} for the best baseline, `{best_baseline.name}`", COMPARISON),
    (
        "README.md",
        "p = {mcnemar_lstm_vs_gru.p_value:.2f} for LSTM and GRU, {mcnemar_lstm_vs_sasrec.p_value:.2f} for LSTM and "
        "{mcnemar_gru_vs_sasrec.p_value:.2f} for GRU against",
        HEADLINE,
    ),
    ("README.md", "generator's truth) is {known_answers.ceiling.accuracy:.3f}", COMPARISON),
    ("README.md", "The paper reports {paper.row.lstm:.2f} and {paper.row.gru:.2f}", COMPARISON),
    ("README.md", "{import.sessions:,} sessions of {import.users:,} users", IMPORT),
    ("README.md", "the {" + P6 + "n_test_users:,} users who have a history", REAL_JSON),
    (
        "README.md",
        "the LSTM reaches {" + P6 + "accuracy.lstm.accuracy:.3f}, the GRU {" + P6 + "accuracy.gru.accuracy:.3f} "
        "and the self-attention model {"
        + P6
        + "accuracy.sasrec.accuracy:.3f}, against {"
        + P6
        + "accuracy.repeat_last.accuracy:.3f} for repeating the last genre and {"
        + P6
        + "accuracy.linear.accuracy:.3f} for a logistic regression",
        REAL_JSON,
    ),
    (
        "README.md",
        "interval within {min(" + P6 + "margins.*.ci_low):+.3f} and {max(" + P6 + "margins.*.ci_high):+.3f})",
        REAL_JSON,
    ),
    # docs/results.md: the default run
    ("docs/results.md", "{n_test:,} test samples from {n_test_users:,} held-out users", COMPARISON),
    ("docs/results.md", row("LSTM", "lstm", "models."), COMPARISON),
    ("docs/results.md", row("GRU", "gru", "models."), COMPARISON),
    ("docs/results.md", row("SASRec (causal self-attention)", "sasrec", "models."), COMPARISON),
    ("docs/results.md", row("majority class", "majority", "baselines."), COMPARISON),
    ("docs/results.md", row("repeat the last genre", "repeat_last", "baselines."), COMPARISON),
    ("docs/results.md", row("user's most frequent genre so far", "user_top", "baselines."), COMPARISON),
    ("docs/results.md", row("first-order Markov", "markov", "baselines."), COMPARISON),
    ("docs/results.md", row("logistic regression on the same features", "linear", "baselines."), COMPARISON),
    (
        "docs/results.md",
        "beat the majority class by {margins.lstm.over.majority:.3f} (LSTM) to {margins.sasrec.over.majority:.3f}",
        COMPARISON,
    ),
    (
        "docs/results.md",
        "(LSTM {margins.lstm.over_best:+.3f} [{margins.lstm.over_best_ci_low:+.3f}, "
        "{margins.lstm.over_best_ci_high:+.3f}], GRU {margins.gru.over_best:+.3f} "
        "[{margins.gru.over_best_ci_low:+.3f}, {margins.gru.over_best_ci_high:+.3f}], SASRec "
        "{margins.sasrec.over_best:+.3f} [{margins.sasrec.over_best_ci_low:+.3f}, "
        "{margins.sasrec.over_best_ci_high:+.3f}])",
        COMPARISON,
    ),
    (
        "docs/results.md",
        "(McNemar p = {mcnemar_lstm_vs_gru.p_value:.3f} for LSTM and GRU, {mcnemar_lstm_vs_sasrec.p_value:.3f} for "
        "LSTM and SASRec, {mcnemar_gru_vs_sasrec.p_value:.3f} for GRU and SASRec)",
        COMPARISON,
    ),
    ("docs/results.md", "The paper reports {paper.row.lstm:.2f} and {paper.row.gru:.2f}", COMPARISON),
    (
        "docs/results.md",
        "its window of {known_answers.ceiling_window} sessions), is " + interval("ceiling", "known_answers."),
        COMPARISON,
    ),
    (
        "docs/results.md",
        "headroom is {known_answers.headroom.accuracy:+.3f} [{known_answers.headroom.ci_low:+.3f}, "
        "{known_answers.headroom.ci_high:+.3f}]",
        COMPARISON,
    ),
    ("docs/results.md", "hidden taste reaches {known_answers.oracle.accuracy:.3f}", COMPARISON),
    # docs/results.md: the paper's grid
    ("docs/results.md", "(LSTM {6-class|LSTM}, GRU {6-class|GRU} in `reports/paper_table.md`)", GRID),
    ("docs/results.md", "oversampled: LSTM {6-class-oversampled|LSTM}, GRU {6-class-oversampled|GRU}", GRID),
    ("docs/results.md", "(4 classes: LSTM {4-class|LSTM}", GRID),
    ("docs/results.md", "3 classes with attention and stress: LSTM {3-class-attention-stress|LSTM}", GRID),
    # docs/embeddings.md
    (
        "docs/embeddings.md",
        "accuracy {genre_probe.all.accuracy:.4f} on all tracks (majority {genre_probe.all.majority:.4f}) and "
        "{genre_probe.with_lyrics.accuracy} on the tracks with lyrics "
        "(majority {genre_probe.with_lyrics.majority:.4f})",
        EMBED,
    ),
    # docs/synthetic.md
    ("docs/synthetic.md", "Table IV's {sum(class_counts_6.*):,} music sessions", PAPER),
    ("docs/synthetic.md", "rather than Table II's {sessions_with_stress.30:,}", PAPER),
    ("docs/synthetic.md", "differ by 3 of {n_test:,} test samples", COMPARISON),
    (
        "docs/synthetic.md",
        "at the defaults the ceiling ({defaults|ceiling}) is repeat-last ({defaults|repeat-last})",
        KNOWN,
    ),
    ("docs/synthetic.md", "(memory: {memory_effect=0.8|ceiling} against {memory_effect=0.8|repeat-last})", KNOWN),
    (
        "docs/synthetic.md",
        "At 0.3 the ceiling is {mood_effect=0.3|ceiling} with the stress and {mood_effect=0.3|ceiling, stress off} "
        "without it; at 0.8, {mood_effect=0.8|ceiling} with it and {mood_effect=0.8|ceiling, stress off} without, "
        "and the turned sessions also take repeat-last down ({mood_effect=0.8|repeat-last})",
        KNOWN,
    ),
    # docs/real-data.md
    (
        "docs/real-data.md",
        "{import.lines:,} tweets give {import.sessions:,} sessions of {import.users:,} users "
        "and {import.tracks:,} tracks",
        IMPORT,
    ),
    (
        "docs/real-data.md",
        "ambiguous share is {import.ambiguous_share:.3f} and the artist match rate {import.artist_match_rate:.3f}",
        IMPORT,
    ),
    (
        "docs/real-data.md",
        "median {data.sessions_per_user.median:.0f} sessions, mean {data.sessions_per_user.mean:.1f}, and "
        "{data.sessions_per_user.users_with_one_session:,} users have a single session",
        REAL_JSON,
    ),
    (
        "docs/real-data.md",
        "Rock has {data.sessions_per_genre.rock:,} sessions, pop {data.sessions_per_genre.pop:,}",
        REAL_JSON,
    ),
    ("docs/real-data.md", "with a rate of {data.repeat_rate:.3f}", REAL_JSON),
    (
        "docs/real-data.md",
        "between {min(search.settings.*.mean_val_accuracy):.3f} and {max(search.settings.*.mean_val_accuracy):.3f}",
        REAL_JSON,
    ),
    ("docs/real-data.md", "pool to {" + P6 + "n_test:,} samples of {" + P6 + "n_test_users:,} users", REAL_JSON),
    (
        "docs/real-data.md",
        "the LSTM reaches "
        + interval("lstm", P6 + "accuracy.")
        + ", the GRU "
        + interval("gru", P6 + "accuracy.")
        + " and the self-attention model "
        + interval("sasrec", P6 + "accuracy.")
        + ", against {"
        + P6
        + 'accuracy.repeat_last.accuracy:.3f} for "repeat the last genre", {'
        + P6
        + "accuracy.user_top.accuracy:.3f} for the user's most frequent genre and {"
        + P6
        + "accuracy.linear.accuracy:.3f} for the logistic regression",
        REAL_JSON,
    ),
    (
        "docs/real-data.md",
        "LSTM "
        + margin(P6 + "margins.lstm")
        + ", GRU "
        + margin(P6 + "margins.gru")
        + ", self-attention "
        + margin(P6 + "margins.sasrec"),
        REAL_JSON,
    ),
    (
        "docs/real-data.md",
        "On 4 classes ({"
        + P4
        + "n_test:,} samples) the logistic regression reaches {"
        + P4
        + "accuracy.linear.accuracy:.3f} and the margins are LSTM "
        + margin(P4 + "margins.lstm")
        + ", GRU "
        + margin(P4 + "margins.gru")
        + ", self-attention "
        + margin(P4 + "margins.sasrec")
        + "; on 3 classes ({"
        + P3
        + "n_test:,} samples of {"
        + P3
        + "n_test_users:,} users; the regression {"
        + P3
        + 'accuracy.linear.accuracy:.3f}, "repeat the last genre" {'
        + P3
        + "accuracy.repeat_last.accuracy:.3f}) LSTM "
        + margin(P3 + "margins.lstm")
        + ", GRU "
        + margin(P3 + "margins.gru")
        + ", and the self-attention model falls just below it, "
        + margin(P3 + "margins.sasrec")
        + " (McNemar p = {"
        + P3
        + "mcnemar_vs_best_baseline.sasrec.p_value:.3f})",
        REAL_JSON,
    ),
    (
        "docs/real-data.md",
        "the LSTM changes by "
        + margin(ARTIST + "lstm")
        + " and the GRU by "
        + margin(ARTIST + "gru")
        + " (McNemar p < 0.001 for both), and the self-attention model by "
        + margin(ARTIST + "sasrec"),
        REAL_JSON,
    ),
    (
        "docs/real-data.md",
        "(LSTM {final.switches.real-6-class-artist.lstm_on_switches:.3f} with them against "
        "{final.switches.real-6-class.lstm_on_switches:.3f} without, on the share "
        "{final.switches.real-6-class.switch_share:.3f} of samples",
        REAL_JSON,
    ),
    # docs/power.md: scale 0.05
    (
        "docs/power.md",
        f"memory (model against the Markov chain) {effect(f'{MEM}/{STRONG}', 'LSTM')} for the LSTM and "
        f"{effect(f'{MEM}/{STRONG}', 'GRU')} for the GRU, with {effect(f'{MEM}/{STRONG}', 'LSTM', 'at the ceiling')}",
        POWER,
    ),
    (
        "docs/power.md",
        f"lyrics (text on against off) {effect(f'{LYR}/{STRONG}', 'LSTM')} and {effect(f'{LYR}/{STRONG}', 'GRU')}, "
        f"with {effect(f'{LYR}/{STRONG}', 'LSTM', 'at the ceiling')} at the ceiling",
        POWER,
    ),
    (
        "docs/power.md",
        f"the ceiling gains only {effect(f'{MEM}/{WEAK}', 'LSTM', 'at the ceiling')} (memory) and "
        f"{effect(f'{LYR}/{WEAK}', 'LSTM', 'at the ceiling')} (lyrics)",
        POWER,
    ),
    (
        "docs/power.md",
        f"the weak lyrics ({effect(f'{LYR}/{WEAK}', 'LSTM')}, {effect(f'{LYR}/{WEAK}', 'LSTM', 'interval above zero')}",
        POWER,
    ),
    (
        "docs/power.md",
        f"seeing stress is worth {effect(f'{MOOD}/{STRONG}', 'LSTM', 'at the ceiling')} to the from-history ceiling "
        f"at 0.8, yet the LSTM gains {effect(f'{MOOD}/{STRONG}', 'LSTM')} "
        f"and the GRU {effect(f'{MOOD}/{STRONG}', 'GRU')}",
        POWER,
    ),
    (
        "docs/power.md",
        "memory LSTM {memory-strong-plain/LSTM|" + SHARE + "}, GRU {memory-strong-plain/GRU|" + SHARE + "} "
        "(headroom {memory-strong-plain/LSTM|" + HEADROOM + "}); lyrics LSTM {lyrics-strong-plain/LSTM|" + SHARE + "}, "
        "GRU {lyrics-strong-plain/GRU|" + SHARE + "} ({lyrics-strong-plain/LSTM|" + HEADROOM + "}); mood LSTM "
        "{mood-strong-stress/LSTM|" + SHARE + "}, GRU {mood-strong-stress/GRU|" + SHARE + "} "
        "({mood-strong-stress/LSTM|" + HEADROOM + "}",
        POWER,
    ),
    (
        "docs/power.md",
        "with accuracy {all on (default)|theme probe} (majority {all on (default)|majority theme}",
        THEME,
    ),
    # docs/power.md: scale 0.2
    (
        "docs/power.md",
        f"seeing stress gains the LSTM {effect(f'{MOOD}/{STRONG}', 'LSTM', spec='first')} and the GRU "
        f"{effect(f'{MOOD}/{STRONG}', 'GRU', spec='first')} "
        f"(the ceiling {effect(f'{MOOD}/{STRONG}', 'LSTM', 'at the ceiling')})",
        POWER_02,
    ),
    (
        "docs/power.md",
        f"(seeing stress is worth only {effect(f'{MOOD}/{WEAK}', 'LSTM', 'at the ceiling')} to the ceiling there)",
        POWER_02,
    ),
    (
        "docs/power.md",
        "memory LSTM {memory-strong-plain/LSTM|" + SHARE + "}, GRU {memory-strong-plain/GRU|" + SHARE + "} "
        "(headroom {memory-strong-plain/LSTM|" + HEADROOM + "}): the 80% target is met. Lyrics LSTM "
        "{lyrics-strong-plain/LSTM|" + SHARE + "}, GRU {lyrics-strong-plain/GRU|" + SHARE + "} (headroom "
        "{lyrics-strong-plain/LSTM|" + HEADROOM + "} above the linear baseline), and mood LSTM "
        "{mood-strong-stress/LSTM|" + SHARE + "}, GRU {mood-strong-stress/GRU|" + SHARE + "} (headroom "
        "{mood-strong-stress/LSTM|" + HEADROOM + "} above repeat-last)",
        POWER_02,
    ),
    # docs/headroom.md
    (
        "docs/headroom.md",
        "Against the {lyrics-strong-plain/LSTM|" + HEADROOM + "} headroom of lyrics and mood at scale 0.2",
        POWER_02,
    ),
    ("docs/headroom.md", "against memory's {memory-strong-plain/LSTM|" + HEADROOM + "} it costs", POWER_02),
    # docs/power.md: the three models in the strong cells
    (
        "docs/power.md",
        "shares LSTM {memory-strong-plain/LSTM|" + SHARE + "}, GRU {memory-strong-plain/GRU|" + SHARE + "}, SASRec "
        "{memory-strong-plain/SASRec|" + SHARE + "} (headroom {memory-strong-plain/LSTM|" + HEADROOM + "}), and the "
        f"memory is found in 5 of 5 seeds by each, SASRec {effect(f'{MEM}/{STRONG}', 'SASRec')} over the Markov chain",
        POWER_3M,
    ),
    (
        "docs/power.md",
        "SASRec {lyrics-strong-plain/SASRec|" + SHARE + "} against LSTM {lyrics-strong-plain/LSTM|" + SHARE + "} and "
        "GRU {lyrics-strong-plain/GRU|" + SHARE + "} (headroom {lyrics-strong-plain/LSTM|" + HEADROOM + "})",
        POWER_3M,
    ),
    (
        "docs/power.md",
        "SASRec {mood-strong-stress/SASRec|" + SHARE + "}, as the GRU ({mood-strong-stress/GRU|" + SHARE + "}), and "
        "the LSTM again lowest ({mood-strong-stress/LSTM|"
        + SHARE
        + "}; headroom {mood-strong-stress/LSTM|"
        + HEADROOM
        + "})",
        POWER_3M,
    ),
]

FIELD = re.compile(r"^(?:(max|min|sum|count)\((.+)\)|(.+))$")


@cache
def load(path: Path):
    """A result file: JSON or YAML as data, markdown as its tables (lists of rows of cells)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    if path.suffix in (".yaml", ".yml"):
        return yaml.safe_load(text)
    return markdown_tables(text)


def markdown_tables(text: str) -> list[list[list[str]]]:
    """The pipe tables of a markdown text: each a list of rows (header first), separator left out."""
    tables, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", cell) for cell in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def key_path(data, path: str) -> list:
    """The values at a dotted key path; `*` takes every key at its level."""
    found = [data]
    for key in path.split("."):
        step = []
        for node in found:
            if key == "*":
                step.extend(node.values())
            elif key in node:
                step.append(node[key])
            elif key.isdigit() and int(key) in node:  # YAML's numeric keys
                step.append(node[int(key)])
            else:
                raise KeyError(f"no key {key!r} on the path {path!r}")
        found = step
    return found


def table_cell(tables, field: str) -> str:
    """The cell of `row|column`: the first table with that column and a row that starts with `row`."""
    row_label, column = field.split("|", 1)
    leading = row_label.split("/")
    for table in tables:
        header, *rows = table
        if column not in header:
            continue
        for cells in rows:
            if cells[: len(leading)] == leading:
                return cells[header.index(column)].replace("**", "").split(" (")[0].strip()
    raise KeyError(f"no table with the column {column!r} and a row {row_label!r}")


def value(path: Path, field: str, spec: str) -> str:
    """One field of a template, formatted as the page shows it."""
    data = load(path)
    if isinstance(data, list):  # markdown tables
        cell = table_cell(data, field)
        return cell.split()[0] if spec == "first" else cell
    reduce, inner, plain = FIELD.match(field).groups()
    if reduce is None:
        (found,) = key_path(data, plain)
        return format(found, spec)
    found = key_path(data, inner)
    reduced = {"max": max, "min": min, "sum": sum, "count": len}[reduce](found)
    return format(reduced, spec)


def render(template: str, path: Path) -> str:
    """The template with each field replaced by its value in the result file at `path`."""
    parts = []
    for literal, field, spec, _ in string.Formatter().parse(template):
        parts.append(literal)
        if field is not None:
            parts.append(value(path, field, spec or ""))
    return "".join(parts)


def page_text(page: str) -> str:
    return " ".join((ROOT / page).read_text(encoding="utf-8").split())


@pytest.mark.parametrize(("page", "template", "source"), CHECKS, ids=[f"{c[0]}:{i}" for i, c in enumerate(CHECKS)])
def test_a_quoted_number_equals_its_result_file(page, template, source):
    shown = render(template, ROOT / source)
    assert shown in page_text(page), f"{page} should show, from {source}: {shown}"


def test_a_drifted_number_no_longer_matches(tmp_path):
    """The check fails when a result file's number moves (here: one more test user)."""
    page, template, source = CHECKS[1]
    assert render(template, ROOT / source) in page_text(page)
    moved = json.loads((ROOT / source).read_text())
    moved["n_test_users"] += 1
    (tmp_path / "moved.json").write_text(json.dumps(moved))
    assert render(template, tmp_path / "moved.json") not in page_text(page)


def test_table_cells_and_reductions():
    tables = markdown_tables(
        "| a | b | c |\n| --- | ---: | --- |\n| x | y | 0.5 ([0.4, 0.6]) |\n| x | z | +0.1 [0.0, 0.2] |\n"
    )
    assert table_cell(tables, "x|c") == "0.5"
    assert table_cell(tables, "x/z|c") == "+0.1 [0.0, 0.2]"
    with pytest.raises(KeyError):
        table_cell(tables, "w|c")
    data = {"a": {"s1": {"p": 0.2}, "s2": {"p": 0.4}}, 30: 7}
    assert key_path(data, "a.*.p") == [0.2, 0.4]
    assert key_path(data, "30") == [7]
