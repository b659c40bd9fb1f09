"""Benchmark: one LSTM and one GRU training epoch at the shape of synthetic.scale 1.0.

Random data of the real shape (default ~75k sessions, ~68k samples, history 20, input dim 395 =
MiniLM 384 + 11; --input-dim 780 for RoBERTa with stress), fed through the real pipeline
(nextgenre.sequences windows gathered by index, nextgenre.models.build_model, Adam, batch 256).

FLOPs per epoch (multiply-add = 2 FLOPs; elementwise gate maths, masking and the softmax are
left out, so the count is a slight underestimate):
  LSTM layer, per sample and step: 2 * 4 * u * (d_in + u)      (4 gates; GRU: 3 gates)
  dense layers, per sample:        2 * (u * dense + dense * n_classes)
  forward = computed steps * sum over recurrent layers + samples * dense
  training = 3 x forward (backward ~ 2 x forward)
Computed steps are counted batch by batch: training batches are bucketed by window length and
each is as long as its longest window (nextgenre.sequences), so padding within a batch counts
(it is computed) but the trimmed padding does not.

With --processed data/processed the real windows, labels and train split of a `dvc repro`
are used (real window lengths); otherwise random data of ~11 sessions per user.
The float32 matmul rate of the same backend and device is measured in the same run (square
matrices). KERAS_BACKEND=torch runs it on the torch backend (on a CUDA GPU where torch sees one).

Usage: NEXTGENRE_THREADS=2 python benchmarks/bench_train.py [--samples 68000] [--input-dim 395]
       [--jit] [--batch-size 256] [--models lstm gru]
Do not run at full size on a shared machine; try --samples 3000.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=68_000, help="samples (train+val+test); 70%% are trained on")
    ap.add_argument("--history", type=int, default=20)
    ap.add_argument("--input-dim", type=int, default=395, help="395 (MiniLM) or 780 (RoBERTa + stress)")
    ap.add_argument("--units", type=int, default=128)
    ap.add_argument("--dense", type=int, default=64)
    ap.add_argument("--classes", type=int, default=6)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--train-share", type=float, default=0.7)
    ap.add_argument("--jit", action="store_true", help="compile the train step with XLA (jit_compile=True)")
    ap.add_argument("--models", nargs="+", default=["lstm", "gru"])
    ap.add_argument("--matmul-size", type=int, default=2048)
    ap.add_argument("--processed", type=Path, help="use the real data/processed of a dvc repro")
    return ap.parse_args()


def random_data(args, seed=0):
    """Sessions of ~11 per user, samples = every session but each user's first."""
    rng = np.random.default_rng(seed)
    per_user = 11
    n_users = int(np.ceil(args.samples / (per_user - 1)))
    n_sessions = n_users * per_user
    vectors = rng.normal(size=(n_sessions, args.input_dim)).astype(np.float32)
    rows = np.arange(n_sessions)
    first = rows - rows % per_user
    targets = rows[rows % per_user != 0][: args.samples]
    samples = pd.DataFrame({"target": targets, "start": np.maximum(first[targets], targets - args.history)})
    labels = rng.integers(0, args.classes, len(samples))
    return vectors, samples, labels


def real_data(args):
    """Vectors, samples, labels and train positions of a dvc repro's data/processed."""
    from nextgenre.processed import read_processed

    processed = read_processed(args.processed)
    args.input_dim, args.history = processed.meta["input_dim"], processed.meta["history"]
    args.classes = len(processed.meta["classes"])
    train = np.flatnonzero(processed.samples["split"].to_numpy() == "train")
    return processed.vectors, processed.samples, processed.samples["label"].to_numpy(), train


def computed_steps(data) -> int:
    """Time steps the recurrent layers compute in one epoch of `data` (a WindowDataset)."""
    return int(sum(len(b) * data.windows.lengths(b).max() for b in data.batches))


def flops_per_epoch(kind, args, n_train, steps):
    gates = {"lstm": 4, "gru": 3}[kind]
    u, d = args.units, args.input_dim
    per_step = 2 * gates * u * (d + u) + 2 * gates * u * (u + u)
    dense = 2 * (u * args.dense + args.dense * args.classes)
    return 3 * (steps * per_step + n_train * dense)


def matmul_gflops(n, repeats=10):
    """float32 matrix-product rate of the Keras backend on its device (GFLOP/s)."""
    from keras import ops

    rng = np.random.default_rng(0)
    a = ops.convert_to_tensor(rng.normal(size=(n, n)).astype(np.float32))
    b = ops.convert_to_tensor(rng.normal(size=(n, n)).astype(np.float32))
    ops.convert_to_numpy(ops.matmul(a, b))
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        ops.convert_to_numpy(ops.sum(ops.matmul(a, b)))  # the sum syncs without copying n*n back
        best = min(best, time.perf_counter() - t)
    return 2 * n**3 / best / 1e9


def main():
    args = parse_args()
    import keras

    from nextgenre.backend import configure, fit_data
    from nextgenre.models import build_model
    from nextgenre.sequences import WindowDataset, Windows

    where = configure(0)
    if args.processed:
        vectors, samples, labels, train_pos = real_data(args)
    else:
        vectors, samples, labels = random_data(args)
        train_pos = np.arange(int(len(samples) * args.train_share))
    windows = Windows(vectors, samples, args.history)
    n_train = len(train_pos)
    train_batches = WindowDataset(windows, train_pos, labels, args.batch_size, shuffle=True)
    steps = computed_steps(train_batches)  # the same for every epoch up to a few batches
    train = fit_data(train_batches, args.input_dim)
    peak_matmul = matmul_gflops(args.matmul_size)

    rows = []
    for kind in args.models:
        params = {"units": args.units, "layers": 2, "dense": [args.dense], "attention": False, "dropout": 0.2}
        model = build_model(kind, args.input_dim, args.classes, params)
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            jit_compile=args.jit,
        )
        warm = fit_data(
            WindowDataset(windows, train_pos[: 4 * args.batch_size], labels, args.batch_size), args.input_dim
        )
        t = time.perf_counter()
        model.fit(warm, epochs=1, verbose=0)  # traces (and with --jit compiles) the train step
        warmup = time.perf_counter() - t
        t = time.perf_counter()
        model.fit(train, epochs=1, verbose=0)  # may retrace once for the last, smaller batch
        first = time.perf_counter() - t
        t = time.perf_counter()
        model.fit(train, epochs=1, verbose=0)
        epoch = time.perf_counter() - t
        flops = flops_per_epoch(kind, args, n_train, steps)
        rows.append(
            {
                "model": kind,
                "train samples": n_train,
                "warm-up s": round(warmup, 1),
                "1st epoch s": round(first, 1),
                "epoch s": round(epoch, 1),
                "samples/s": round(n_train / epoch),
                "GFLOP/epoch": round(flops / 1e9, 1),
                "GFLOP/s": round(flops / epoch / 1e9, 1),
                "matmul GFLOP/s": round(peak_matmul, 1),
                "share of matmul": f"{flops / epoch / 1e9 / peak_matmul:.1%}",
                "est. epoch s at 47.6k train": round(epoch * 47_600 / n_train, 1),
            }
        )
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"\n{'data/processed' if args.processed else 'random data'}: computed steps per epoch {steps} "
        f"= {steps / (n_train * args.history):.0%} of unbucketed full-history windows"
    )
    print(
        f"{where}, input dim {args.input_dim}, history {args.history}, batch {args.batch_size}, "
        f"XLA {'on' if args.jit else 'off'}, peak RSS {peak_rss:.2f} GiB"
    )
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
