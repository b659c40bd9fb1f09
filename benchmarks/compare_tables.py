"""Print how close ingest's measured data (data/ingest.json) comes to the paper's Tables I-IV.

    python benchmarks/compare_tables.py [data/ingest.json] [--scale 1.0] [--tables paper/tables.yaml]

Exit status 1 when a checked row is outside its tolerance. Writes reports/benchmarks/calibration.md
(benchmarks/machine.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from machine import write_report

from nextgenre.paper import load_tables
from nextgenre.synthetic import derived_ptsd_users
from nextgenre.synthetic.calibration import compare, format_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default="data/ingest.json")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="synthetic.scale the data was generated at (scales the paper's counts)"
    )
    parser.add_argument("--tables", default="paper/tables.yaml")
    args = parser.parse_args(argv)
    tables = load_tables(args.tables)
    data = json.loads(Path(args.data).read_text())
    rows = compare(data, tables, args.scale, ptsd_users=derived_ptsd_users(tables))
    failed = [r for r in rows if r["ok"] is False]
    body = (
        f"What ingest measured ({args.data}, synthetic.scale {args.scale}) against the paper's Tables I-IV "
        f"(synthetic data: this tests the pipeline, not the paper).\n\n{format_rows(rows)}\n\n"
        f"{len(rows) - len(failed)} of {len(rows)} rows within tolerance or unchecked"
        f"{'' if not failed else f'; {len(failed)} outside'}."
    )
    write_report("calibration", "Calibration: the synthetic data against the paper's tables", body)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
