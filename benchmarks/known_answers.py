"""Known answers of the synthetic data: oracle, from-history ceiling (with and without the stress
and text inputs) and repeat-last accuracy on every session with an earlier one, at the defaults
and each planted effect at a weak and a strong setting; then the calibration to Tables I-IV,
measured by ingest, with every effect strong. Synthetic data: this tests the pipeline, not the
paper.

    PYTHONPATH=src python benchmarks/known_answers.py --scale 0.1 [--seed 42] [--weak 0.3] [--strong 0.8]

Writes reports/benchmarks/known_answers.md (benchmarks/machine.py).
"""

from __future__ import annotations

import argparse
import tempfile

import numpy as np
from machine import write_report

from nextgenre.ingest import ingest
from nextgenre.paper import load_tables
from nextgenre.params import load_params
from nextgenre.pseudonym import PUBLIC_KEY
from nextgenre.synthetic import derived_ptsd_users, generate, write_raw
from nextgenre.synthetic.calibration import compare, format_rows
from nextgenre.synthetic.truth import Truth, known_answers

EFFECTS = ("mood_effect", "memory_effect", "lyrics_effect")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--weak", type=float, default=0.3)
    parser.add_argument("--strong", type=float, default=0.8)
    args = parser.parse_args()
    config = {**load_params()["synthetic"], "scale": args.scale}
    tables = load_tables()

    lines = [
        f"Scale {args.scale}, seed {args.seed}: accuracy on every session with an earlier one "
        "(6 classes; synthetic data: this tests the pipeline, not the paper).",
        "",
        "| setting | targets | oracle | ceiling | ceiling, stress off | ceiling, text off | repeat-last |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    settings = [{}] + [{e: v} for e in EFFECTS for v in (args.weak, args.strong)]
    for setting in settings:
        frames = generate({**config, **setting}, args.seed, tables)
        truth = Truth(frames["session_truth"], frames["user_truth"], frames["generator"])
        rows = np.flatnonzero(truth.sessions["position"].to_numpy() > 0)
        got = known_answers(truth, rows)
        blind = known_answers(truth, rows, stress=False)["ceiling"]
        textless = known_answers(truth, rows, text=False)["ceiling"]
        label = ", ".join(f"{k}={v}" for k, v in setting.items()) or "defaults"
        lines.append(
            f"| {label} | {got['n']} | {got['oracle']:.4f} | {got['ceiling']:.4f} | {blind:.4f} | "
            f"{textless:.4f} | {got['repeat_last']:.4f} |"
        )

    strong = {e: args.strong for e in EFFECTS}
    with tempfile.TemporaryDirectory() as tmp:
        write_raw(generate({**config, **strong}, args.seed, tables), tmp)
        data = ingest(tmp, PUBLIC_KEY.encode()).metrics
    rows = compare(data, tables, args.scale, ptsd_users=derived_ptsd_users(tables))
    lines += [
        "",
        f"Calibration (measured by ingest) with {strong}: {sum(r['ok'] is True for r in rows)} rows "
        f"within tolerance, {sum(r['ok'] is False for r in rows)} outside, "
        f"{sum(r['ok'] is None for r in rows)} unchecked (groups under the size the check needs).",
        "",
        format_rows(rows),
    ]
    body = "\n".join(lines)
    write_report("known_answers", "Known answers of the synthetic data", body)


if __name__ == "__main__":
    main()
