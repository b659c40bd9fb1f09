"""Throughput of the stress scorer (nextgenre.stress.score_texts, VADER mapped onto the
TensiStrength scale) on distinct tweet-like texts, against the budget of `ingest`.

    PYTHONPATH=src python benchmarks/bench_stress.py --texts 20000

Writes reports/benchmarks/stress.md (benchmarks/machine.py). The budget: `ingest` at
synthetic.scale 1.0 scores about 300,000 ordinary tweets, which needs some 2,000 texts/s or more to
stay within a few minutes; the scorer ran about 16,000 texts/s on the development machine of
2026-11. (It moved here from tests/test_stress.py: a test holds no time bound but a hang guard.)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from machine import write_report  # noqa: E402  (this folder is on sys.path for a script)

from nextgenre.stress import score_texts  # noqa: E402

BUDGET = 2_000  # texts/s: 300,000 tweets in 2.5 minutes


def texts(n: int) -> list[str]:
    """`n` distinct tweet-like texts."""
    return [f"deadline {i} is killing me, I can't sleep and I hate everything today" for i in range(n)]


def rate(sample: list[str], repeats: int) -> float:
    """Best texts/s over `repeats` runs."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        score_texts(sample)
        best = min(best, time.perf_counter() - start)
    return len(sample) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    measured = rate(texts(args.texts), args.repeats)
    verdict = "within" if measured >= BUDGET else "**below**"
    body = "\n".join(
        [
            "| texts | best of | texts/s | budget (texts/s) | |",
            "| ---: | ---: | ---: | ---: | --- |",
            f"| {args.texts} | {args.repeats} | {measured:,.0f} | {BUDGET:,} | {verdict} the budget |",
        ]
    )
    write_report("stress", "Stress scorer throughput", body)


if __name__ == "__main__":
    main()
