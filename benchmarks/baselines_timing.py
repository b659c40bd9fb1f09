"""Time every baseline on random processed data of a given scale (1.0 ~ the paper: 75k sessions).

PYTHONPATH=src python benchmarks/baselines_timing.py 0.1

Writes reports/benchmarks/baselines.md (benchmarks/machine.py).
"""

import sys
import time

import numpy as np
import pandas as pd
from machine import write_report

from nextgenre import baselines
from nextgenre.constants import class_names
from nextgenre.processed import Processed, no_overrides


def fake(scale: float, dim: int = 395, history: int = 20, seed: int = 0) -> Processed:
    rng = np.random.default_rng(seed)
    n_users = max(10, int(6752 * scale))
    lengths = rng.integers(2, 21, size=n_users)
    firsts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    n = int(lengths.sum())
    genres = rng.integers(0, 6, size=n).astype(np.int8)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    rows = [
        (f + i, max(f, f + i - history), u)
        for u, (f, length) in enumerate(zip(firsts, lengths))
        for i in range(1, length)
    ]
    target, start, user = map(np.array, zip(*rows))
    split = np.array(["train", "val", "test"])[rng.choice(3, size=n_users, p=[0.7, 0.15, 0.15])][user]
    samples = pd.DataFrame(
        {
            "target": target,
            "start": start,
            "label": genres[target].astype(int),
            "split": split,
            "group": "control",
            "user_index": user,
        }
    )
    overrides = no_overrides()
    return Processed(
        vectors,
        genres,
        np.ones(n, bool),
        samples,
        overrides,
        {"classes": class_names(6), "input_dim": dim, "history": history},
    )


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 0.1
    data = fake(scale)
    s = data.samples
    train, test = s[s["split"] == "train"], s[s["split"] == "test"]
    lines = [
        f"Random processed data at scale {scale}: {len(data.genres)} sessions, "
        f"{len(train)} train / {len(test)} test samples.",
        "",
        "| baseline | seconds |",
        "| --- | ---: |",
    ]
    for name in baselines.BASELINES:
        t = time.perf_counter()
        getattr(baselines, name)(data, train, test)
        lines.append(f"| {name} | {time.perf_counter() - t:.2f} |")
    body = "\n".join(lines)
    write_report("baselines", "Baselines: time per baseline on random data", body)


if __name__ == "__main__":
    main()
