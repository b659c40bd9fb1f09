"""Time every baseline on random processed data of a given scale (1.0 ~ the paper: 75k sessions).

PYTHONPATH=src python benchmarks/baselines_timing.py 0.1
"""

import sys
import time

import numpy as np
import pandas as pd

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


if __name__ == "__main__":
    data = fake(float(sys.argv[1]) if len(sys.argv) > 1 else 0.1)
    s = data.samples
    train, test = s[s["split"] == "train"], s[s["split"] == "test"]
    print(f"{len(data.genres)} sessions, {len(train)} train / {len(test)} test samples")
    for name in baselines.BASELINES:
        t = time.perf_counter()
        fn = getattr(baselines, name)
        fn(data, train, test)
        print(f"{name:12s} {time.perf_counter() - t:7.2f} s")
