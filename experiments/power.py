"""The power study: each planted effect at strength 0, a weak and a strong setting, over seeds,
run as DVC experiments; writes reports/power.md (see nextgenre.power).

    python experiments/power.py --seeds 1 2 3 4 5 -S synthetic.scale=0.05 -S train.batch_size=32 -j 2
    python experiments/power.py --weak 0.3 --strong 0.8 --seeds 1 2 3 4 5 -j 1
    python experiments/power.py --effects mood -S synthetic.scale=0.2 -S model.text_projection=8 \
        -S train.batch_size=32 -j 2 --out reports/power-mood.md
    python experiments/power.py --levels strong -S synthetic.scale=0.2 ... --out reports/power-strong.md
    python experiments/power.py --levels strong --only mood-strong-stress ...  (headroom shares only)

Every cell x seed is queued with `dvc exp run --queue -n <cell>-s<seed>` (nextgenre.grid), seed
by seed, run with `dvc queue start -j N`, and read back from its experiment ref. With --reuse,
experiments that already ran are kept (to resume an interrupted study); --collect-only skips the
queue and tabulates what is there. Across N machines (nextgenre.grid_remote, docs/experiments.md,
"A grid across N machines"): `--part K/N --push origin` on each, then `--collect origin` on one.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

from nextgenre import grid, grid_remote, power
from nextgenre.outputs import atomic_file
from nextgenre.provenance import PIPELINE, record
from nextgenre.runner import run_stage

LEVELS = ("zero", "weak", "strong")
NOTE = (
    "**Synthetic data:** the effects are planted by the generator; this tests whether the pipeline "
    "finds known answers, not the paper's hypothesis."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--weak", type=float, default=0.3)
    parser.add_argument("--strong", type=float, default=0.8)
    parser.add_argument("--effects", nargs="+", choices=power.EFFECTS, default=list(power.EFFECTS))
    parser.add_argument("--levels", nargs="+", choices=LEVELS, default=list(LEVELS), help="e.g. strong alone")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="CONFIGURATION",
        help="these configurations alone (a comparison needs both its own)",
    )
    parser.add_argument("-j", "--jobs", type=int, default=1, help="parallel queue workers")
    parser.add_argument("-S", "--set", action="append", default=[], metavar="KEY=VALUE", help="for every experiment")
    parser.add_argument("--reuse", action="store_true", help="keep experiments of the same name that already ran")
    parser.add_argument("--collect-only", action="store_true", help="tabulate the experiments that ran")
    parser.add_argument("--out", type=Path, default=Path("reports/power.md"))
    grid_remote.add_arguments(parser)
    args = parser.parse_args()

    strengths = {
        level: s for level, s in {"zero": 0.0, "weak": args.weak, "strong": args.strong}.items() if level in args.levels
    }
    batches = power.batches(strengths, args.effects)
    if args.only:
        unknown = set(args.only) - {name for batch in batches for name, _ in batch}
        if unknown:
            parser.error(f"--only: no configuration {', '.join(sorted(unknown))} in these levels and effects")
        kept = ([(name, s) for name, s in batch if name in args.only] for batch in batches)
        batches = [batch for batch in kept if batch]  # a batch with none of them is not run
    cells = [cell for batch in batches for cell in batch]
    extra = grid.parse_settings(args.set)
    command = "python experiments/power.py " + " ".join(sys.argv[1:])
    started = time.perf_counter()
    if args.part or args.collect:  # one of several machines, or the one that gathers their runs
        named = {n: s for batch in batches for n, s in grid.experiments(dict(batch), args.seeds, extra).items()}
        provenance = grid_remote.execute(named, args, command)
        if provenance is None:
            return
    else:
        if not args.collect_only:
            for batch in batches:  # strong and zero first: the targets
                grid.queue_grid(dict(batch), args.seeds, extra, reuse=args.reuse)
                grid.run_queue(args.jobs, poll_seconds=10)  # hours of training: a look every 10 s
        minutes = (time.perf_counter() - started) / 60
        provenance = f"Produced by `{command}`" + ("" if args.collect_only else f" in {minutes:.0f} minutes")

    # Every experiment has run: each one's comparison is read once, though several rows use it.
    read = functools.cache(grid.read_comparison)
    summary = power.study(strengths, args.seeds, read, args.effects)
    headroom = power.headroom_rows(strengths, args.seeds, read, args.effects)
    settings = ", ".join(f"`{k}={v}`" for k, v in extra.items()) or "none"
    text = "\n".join(
        [
            "# Power study: does the study find the planted effects, and only them?",
            "",
            NOTE,
            "",
            provenance.removesuffix(".")
            + f"; seeds {', '.join(map(str, args.seeds))}; strengths {strengths}; settings for every "
            f"experiment: {settings}; {len(cells)} configurations per seed (`{'`, `'.join(n for n, _ in cells)}`).",
            "",
            "A seed detects an effect when the paired 95% interval (cluster bootstrap over test users, same "
            "test samples) of the difference in accuracy lies above zero. *Power* is the share of seeds that "
            "detect it; at strength 0 that share is the *false-positive rate* (a 95% interval promises 0.025 "
            "above zero, 0.05 on either side). Share intervals: exact Clopper-Pearson 95%. *At the ceiling*: "
            "the same difference for the from-history ceiling (the most any model could show), mean over "
            "seeds. The verdict at strength 0 is a one-sided exact binomial test of the rate "
            "against 0.05. *95% CI over seeds*: a t-interval of the mean difference over the seeds; each "
            "seed draws its own data and trains its own models, so this interval also holds the training's "
            "randomness, which a seed's paired interval (both trained models fixed) leaves out. At strength 0 "
            "an interval over seeds that excludes zero means a systematic difference between the two "
            "configurations that is not the planted effect (for example one of them trains worse).",
            "",
            power.power_table(summary),
            "## Headroom shares in the configurations that should detect each effect",
            "",
            "(model - best baseline) / (ceiling - best baseline) on each experiment's test samples (reports/"
            "comparison.md's known answers); with no planted effect the headroom is near zero and the share is noise.",
            "",
            power.headroom_table(headroom),
            "## Per seed: difference in accuracy [95% CI]",
            "",
            power.per_seed_table(summary, args.seeds),
        ]
    )
    with atomic_file(args.out) as tmp:
        tmp.write_text(text)
    record(args.out, command, ["experiments/power.py", *PIPELINE])  # reports/provenance.yaml
    print(text)


if __name__ == "__main__":
    run_stage(main)
