"""The generator's calibration to the paper's Tables I-IV: its calibrated constants
(calibration.yaml beside this module, `constants`) and how close the data that ingest measured
(data/ingest.json) comes to the tables (`compare`).

The constants are a file of the package, not params.yaml settings: they are fitted, not varied by
the study, and `dvc exp show` lists every setting of params.yaml. The synthesize stage depends on
the file; `dvc exp run -S src/nextgenre/synthetic/calibration.yaml:stickiness=0.5` changes one for
an experiment (a calibration study).

Every check gives one row: what was measured, the paper's figure (scaled by `scale` for a
synthetic run at another scale), the deviation, the tolerance and whether it is within it.
Tolerances are those the synthetic stand-in is built to meet at scale 1.0:
- users per group (Table I): exact (ptsd, which Table I lacks, against the derived count);
- all music sessions: within 2 %; each genre's sessions (Table IV): within 3 %;
- sessions with a tweet within 30/60/90 minutes (Table II): within 3 % each;
- genre mix of those sessions per group and interval (Table III): total variation distance at
  most 0.05, for groups with at least 500 such sessions (smaller groups are listed, unchecked).
"""

from __future__ import annotations

from pathlib import Path

from nextgenre.constants import GENRES, INTERVALS
from nextgenre.params import Check, check_settings, number, read_settings

CONSTANTS_FILE = Path(__file__).with_name("calibration.yaml")
CONSTANTS_SPEC: dict[str, Check] = {
    "sessions_sigma": number(0, 2),
    "taste_concentration": number(0, 1000, lo_open=True),
    "stickiness": number(0, 0.95),
    "time_of_day_shift": number(0, 1),
    "group_stress_gap": number(0, 3),
    "genre_stress_effect": number(0, 3),
    "window_extra_tweets": number(0, 10),
    "background_tweets": number(0, 20),
    "ambiguous_share": number(0, 0.5),
    "uncatalogued_share": number(0, 0.5),
    "tracks_per_session": number(0, 1, lo_open=True),
    "instrumental_share": number(0, 1),
    "local_offset_share": number(0, 1),
}

SESSIONS_TOLERANCE = 0.02
GENRE_TOLERANCE = 0.03
STRESS_TOLERANCE = 0.03
TVD_TOLERANCE = 0.05
TVD_MIN_SESSIONS = 500


def constants(path: str | Path = CONSTANTS_FILE) -> dict:
    """The generator's calibrated constants, checked (a wrong one raises ParamsError naming the
    file and the setting)."""
    return check_settings(read_settings(path), CONSTANTS_SPEC, str(path))


def _row(check: str, key: str, measured, paper, deviation, tolerance, ok) -> dict:
    return {
        "check": check,
        "key": key,
        "measured": measured,
        "paper": paper,
        "deviation": deviation,
        "tolerance": tolerance,
        "ok": ok,
    }


def _relative(check: str, key: str, measured: float, paper: float, tolerance: float) -> dict:
    deviation = (measured - paper) / paper if paper else float("inf") if measured else 0.0
    return _row(check, key, measured, paper, round(deviation, 4), tolerance, abs(deviation) <= tolerance)


def _get(mapping: dict, key):
    """A value under an int key or its string form (JSON turns keys into strings)."""
    return mapping[key] if key in mapping else mapping[str(key)]


def total_variation(counts_a, counts_b) -> float:
    """Half the L1 distance between two count vectors' shares."""
    sa, sb = sum(counts_a), sum(counts_b)
    if not sa or not sb:
        return 1.0
    return 0.5 * sum(abs(a / sa - b / sb) for a, b in zip(counts_a, counts_b))


def compare(data: dict, tables: dict, scale: float = 1.0, ptsd_users: float | None = None) -> list[dict]:
    """Rows comparing ingest's `data` (the data/ingest.json shape) with `tables`."""
    rows = []
    measured_users = data.get("users_per_group", {})
    expected_users = {g: n for g, n in tables["users_per_group"].items()}
    if ptsd_users is not None:
        expected_users["ptsd"] = ptsd_users
    for group, n in expected_users.items():
        paper = max(1, round(n * scale))
        got = measured_users.get(group, 0)
        label = "Table I users" if group in tables["users_per_group"] else "users (derived)"
        rows.append(_row(label, group, got, paper, got - paper, 0, got == paper))

    paper_genres = {g: tables["class_counts_6"][g] * scale for g in GENRES}
    rows.append(_relative("Table IV sessions", "all", data["sessions"], sum(paper_genres.values()), SESSIONS_TOLERANCE))
    measured_genres = _get(data["class_counts"], 6)
    for genre in GENRES:
        rows.append(
            _relative("Table IV sessions", genre, measured_genres.get(genre, 0), paper_genres[genre], GENRE_TOLERANCE)
        )

    for interval in INTERVALS:
        rows.append(
            _relative(
                "Table II with stress",
                f"{interval} min",
                _get(data["sessions_with_stress"], interval),
                _get(tables["sessions_with_stress"], interval) * scale,
                STRESS_TOLERANCE,
            )
        )

    for interval in INTERVALS:
        paper_rows = _get(tables["genre_by_group"], interval)
        measured_rows = _get(data["genre_by_group"], interval)
        for group, paper_counts in paper_rows.items():
            got = [measured_rows.get(group, {}).get(g, 0) for g in GENRES]
            tvd = round(total_variation(got, paper_counts), 4)
            checked = sum(got) >= TVD_MIN_SESSIONS * scale
            rows.append(
                _row(
                    "Table III genre mix (TVD)",
                    f"{interval} min {group} (n={sum(got)})",
                    tvd,
                    0.0,
                    tvd,
                    TVD_TOLERANCE if checked else None,
                    tvd <= TVD_TOLERANCE if checked else None,
                )
            )
    return rows


def format_rows(rows: list[dict]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| check | key | measured | paper | deviation | tolerance | ok |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        ok = "n/a" if r["ok"] is None else ("yes" if r["ok"] else "NO")
        tol = "-" if r["tolerance"] is None else r["tolerance"]
        paper = round(r["paper"], 1) if isinstance(r["paper"], float) else r["paper"]
        lines.append(f"| {r['check']} | {r['key']} | {r['measured']} | {paper} | {r['deviation']} | {tol} | {ok} |")
    return "\n".join(lines)
