"""Benchmark: LSTM and GRU training epochs at the shape of synthetic.scale 1.0, before and after
the speed-ups of issue 14, with a breakdown of where an epoch goes.

Random data of the real shape (default ~68k samples, history 20, input dim 395 = MiniLM 384 +
11; --input-dim 780 for RoBERTa with stress), fed through the real pipeline (nextgenre.sequences
windows gathered by index, nextgenre.models.build_model, Adam, batch 256), in two configurations:
  before  main before issue 14: training batches sorted by window length within shuffled chunks
          of 50 batches, each as long as its longest window (padded steps masked); validation
          batches in sample order, padded to `history` steps; the Masking layer in the model;
  after   nextgenre.sequences now: every batch holds windows of one length (no padded step,
          training and validation), and no Masking layer where no window has an all-zero step.
Both compute the same function of every window (tests/test_models.py); the batches group the
samples differently, so the trained weights differ in their bits.

FLOPs per epoch count the real (useful) steps of the training windows (multiply-add = 2 FLOPs;
elementwise gate maths and the softmax are left out, so the count is a slight underestimate):
  LSTM layer, per sample and step: 2 * 4 * u * (d_in + u)      (4 gates; GRU: 3 gates)
  dense layers, per sample:        2 * (u * dense + dense * n_classes)
  training = 3 x forward (backward ~ 2 x forward)
Padded steps computed by "before" cost time but count no FLOPs. The float32 matmul rate of the
same backend is measured next to each timed epoch (square matrices), on the wall clock and on
the process's CPU time: on a shared machine the wall-clock rates swing with the other load,
CPU-time rates much less (they still count threads waiting for a core).

Breakdown (the "after" configuration; per epoch, the best of 3 on wall and CPU time): gathering
the windows in numpy, Keras's fixed cost per batch (an epoch of as many batches of one 1-step
window), one dvclive step (4 metrics logged); the validation pass is a column of the table.

With --processed data/processed the real windows, labels and splits of a `dvc repro` are used
(real window lengths); otherwise random data of ~25 sessions per user.
KERAS_BACKEND=torch runs it on the torch backend (on a CUDA GPU where torch sees one; on a CPU
the torch backend's recurrent layers step in Python and were far slower here).

Usage: NEXTGENRE_THREADS=2 python benchmarks/bench_train.py [--samples 68000] [--input-dim 395]
       [--jit] [--batch-size 256] [--models lstm gru] [--configs before after]
Do not run at full size on a shared machine; try --samples 12000. Writes
reports/benchmarks/train.md (benchmarks/machine.py).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from machine import write_report  # noqa: E402

from nextgenre.sequences import WindowDataset, Windows  # noqa: E402


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
    ap.add_argument("--val-share", type=float, default=0.15)
    ap.add_argument(
        "--jit",
        action="store_true",
        help="ask Keras to compile the train step with XLA (jit_compile=True); Keras declines while "
        "TensorFlow's op determinism is on (nextgenre.backend.configure turns it on): the 'XLA' column says what ran",
    )
    ap.add_argument("--models", nargs="+", default=["lstm", "gru"])
    ap.add_argument("--configs", nargs="+", default=["before", "after"], choices=["before", "after"])
    ap.add_argument("--matmul-size", type=int, default=1024)
    ap.add_argument("--processed", type=Path, help="use the real data/processed of a dvc repro")
    return ap.parse_args()


def random_data(args, seed=0):
    """Sessions of ~25 per user (window lengths 1..history), samples = every session but each
    user's first; the first train-share of them train, the next val-share validate."""
    rng = np.random.default_rng(seed)
    per_user = 25
    n_users = int(np.ceil(args.samples / (per_user - 1)))
    n_sessions = n_users * per_user
    vectors = rng.normal(size=(n_sessions, args.input_dim)).astype(np.float32)
    rows = np.arange(n_sessions)
    first = rows - rows % per_user
    targets = rows[rows % per_user != 0][: args.samples]
    samples = pd.DataFrame({"target": targets, "start": np.maximum(first[targets], targets - args.history)})
    labels = rng.integers(0, args.classes, len(samples))
    n_train, n_val = int(len(samples) * args.train_share), int(len(samples) * args.val_share)
    return vectors, samples, labels, np.arange(n_train), np.arange(n_train, n_train + n_val)


def real_data(args):
    """Vectors, samples, labels, train and val positions of a dvc repro's data/processed."""
    from nextgenre.processed import read_processed

    processed = read_processed(args.processed)
    args.input_dim, args.history = processed.meta["input_dim"], processed.meta["history"]
    args.classes = len(processed.meta["classes"])
    split = processed.samples["split"].to_numpy()
    labels = processed.samples["label"].to_numpy()
    train, val = np.flatnonzero(split == "train"), np.flatnonzero(split == "val")
    return processed.vectors, processed.samples, labels, train, val


class MainBatches(WindowDataset):
    """The batches of main before issue 14 (the "before" configuration)."""

    BUCKET_BATCHES = 50  # a shuffled chunk of this many batches is sorted by window length

    def _draw_batches(self) -> list[np.ndarray]:
        n, size = len(self.positions), self.batch_size
        if not self.shuffle:
            return [self.positions[i : i + size] for i in range(0, n, size)]
        order = self.positions[self.rng.permutation(n)]
        lengths = self.windows.lengths(order)
        chunk = size * self.BUCKET_BATCHES
        for lo in range(0, n, chunk):
            by_length = np.argsort(lengths[lo : lo + chunk], kind="stable")
            order[lo : lo + chunk] = order[lo : lo + chunk][by_length]
        batches = [order[i : i + size] for i in range(0, n, size)]
        return [batches[i] for i in self.rng.permutation(len(batches))]

    def __getitem__(self, i):
        chosen = self.batches[i]
        steps = int(self.windows.lengths(chosen).max()) if self.shuffle else None
        return self.windows.gather(chosen, steps), self.labels[chosen]


def computed_steps(data) -> int:
    """Time steps the recurrent layers compute in one epoch of `data` (a WindowDataset)."""
    return int(sum(len(b) * data.windows.lengths(b).max() for b in data.batches))


def flops_per_epoch(kind, args, n_train, steps):
    gates = {"lstm": 4, "gru": 3}[kind]
    u, d = args.units, args.input_dim
    per_step = 2 * gates * u * (d + u) + 2 * gates * u * (u + u)
    dense = 2 * (u * args.dense + args.dense * args.classes)
    return 3 * (steps * per_step + n_train * dense)


def timed(fn):
    """(wall s, CPU s of this process) of fn()."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def best_of(fn, repeats=3):
    """The least (wall s, CPU s) of fn() over repeats: the cost without other processes' load."""
    return min(timed(fn) for _ in range(repeats))


def matmul_gflops(n, repeats=20):
    """float32 matrix-product rate of the Keras backend on its device: (wall, CPU-time) GFLOP/s."""
    from keras import ops

    rng = np.random.default_rng(0)
    a = ops.convert_to_tensor(rng.normal(size=(n, n)).astype(np.float32))
    b = ops.convert_to_tensor(rng.normal(size=(n, n)).astype(np.float32))
    ops.convert_to_numpy(ops.sum(ops.matmul(a, b)))

    def products():
        for _ in range(repeats):
            ops.convert_to_numpy(ops.sum(ops.matmul(a, b)))  # the sum syncs without copying n*n back

    wall, cpu = timed(products)
    return 2 * n**3 * repeats / wall / 1e9, 2 * n**3 * repeats / cpu / 1e9


def datasets(config, windows, train_pos, val_pos, labels, args):
    batches = MainBatches if config == "before" else WindowDataset
    train = batches(windows, train_pos, labels, args.batch_size, shuffle=True)
    return train, batches(windows, val_pos, labels, args.batch_size)


def compiled_model(kind, config, windows, args):
    from nextgenre.models import build_model
    from nextgenre.training import compile_model

    params = {
        "units": args.units,
        "layers": 2,
        "dense": [args.dense],
        "attention": False,
        "dropout": 0.2,
        "text_projection": 0,
    }
    masking = config == "before" or windows.has_gaps()
    model = build_model(kind, args.input_dim, args.classes, params, masking=masking)
    compile_model(model, 1e-3, jit_compile=args.jit)
    return model


def epoch_row(kind, config, windows, train_pos, val_pos, labels, args):
    from nextgenre.backend import fit_data

    train_batches, val_batches = datasets(config, windows, train_pos, val_pos, labels, args)
    steps = computed_steps(train_batches)  # the same for every epoch up to a few batches
    train, val = fit_data(train_batches, args.input_dim), fit_data(val_batches, args.input_dim)
    model = compiled_model(kind, config, windows, args)
    warmup, _ = timed(lambda: model.fit(train, validation_data=val, epochs=1, verbose=0))  # traces
    mm_wall, mm_cpu = matmul_gflops(args.matmul_size)
    wall, cpu = best_of(lambda: model.fit(train, epochs=1, verbose=0), repeats=2)
    val_wall, _ = best_of(lambda: model.evaluate(val, verbose=0), repeats=2)
    flops = flops_per_epoch(kind, args, len(train_pos), int(windows.lengths(train_pos).sum()))
    return {
        "model": kind,
        "config": config,
        "XLA": "on" if model.jit_compile else "off",
        "batches": len(train_batches),
        "computed steps": f"{steps / windows.lengths(train_pos).sum():.0%}",
        "1st epoch s": round(warmup, 1),
        "epoch s": round(wall, 1),  # the better of 2
        "epoch CPU s": round(cpu, 1),
        "val pass s": round(val_wall, 1),
        "GFLOP/s": round(flops / wall / 1e9, 1),
        "matmul GFLOP/s": round(mm_wall, 1),
        "share of matmul": f"{flops / wall / 1e9 / mm_wall:.0%}",
        "share (CPU time)": f"{flops / cpu / 1e9 / mm_cpu:.0%}",
        "est. epoch s at 47.6k train": round(wall * 47_600 / len(train_pos), 1),
    }


def breakdown(kind, windows, train_pos, val_pos, labels, args):
    """Seconds per epoch of what is not the model's arithmetic ("after" configuration)."""
    from dvclive import Live
    from nextgenre.backend import fit_data

    train_batches, val_batches = datasets("after", windows, train_pos, val_pos, labels, args)
    gather = best_of(lambda: [train_batches[i] for i in range(len(train_batches))])
    tiny_windows = Windows(windows.vectors, pd.DataFrame({"target": [1], "start": [0]}), 1)
    tiny = WindowDataset(tiny_windows, np.zeros(len(train_batches), np.int64), labels, 1, shuffle=True)
    model = compiled_model(kind, "after", windows, args)
    data = fit_data(tiny, args.input_dim)
    model.fit(data, epochs=1, verbose=0)
    per_batch = best_of(lambda: model.fit(data, epochs=1, verbose=0))
    with tempfile.TemporaryDirectory() as folder, Live(folder, dvcyaml=None, save_dvc_exp=False, report=None) as live:

        def log():
            for name in ("train/loss", "train/accuracy", "val/loss", "val/accuracy"):
                live.log_metric(name, 0.5)
            live.next_step()

        dvclive = best_of(log)
    return {
        "gather windows (numpy)": gather,
        f"Keras fixed cost of {len(train_batches)} batches": per_batch,
        "dvclive step": dvclive,
    }


def main():
    args = parse_args()
    from nextgenre.backend import configure

    where = configure(0)
    if args.processed:
        vectors, samples, labels, train_pos, val_pos = real_data(args)
    else:
        vectors, samples, labels, train_pos, val_pos = random_data(args)
    windows = Windows(vectors, samples, args.history)

    rows = [
        epoch_row(kind, config, windows, train_pos, val_pos, labels, args)
        for kind in args.models
        for config in args.configs
    ]
    parts = breakdown(args.models[0], windows, train_pos, val_pos, labels, args)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    lines = [
        f"{'data/processed' if args.processed else 'Random data'}: {len(train_pos)} train samples, "
        f"{len(val_pos)} validation samples, mean window {windows.lengths(train_pos).mean():.1f} steps; "
        f"{where}, input dim {args.input_dim}, history {args.history}, batch {args.batch_size}, "
        f"XLA {'asked' if args.jit else 'not asked'}, peak RSS {peak_rss:.2f} GiB.",
        "",
        markdown_table(rows),
        "",
        f"Where an epoch goes besides the arithmetic ({args.models[0]}, after), per epoch, best of 3:",
        "",
        *(f"- {name}: {wall:.2f} s wall, {cpu:.2f} s CPU" for name, (wall, cpu) in parts.items()),
        "- validation pass: 'val pass s' above",
    ]
    body = "\n".join(lines)
    write_report("train", "Training epochs: LSTM and GRU against the matmul rate", body)


def markdown_table(rows: list[dict]) -> str:
    """Rows of equal keys as a markdown table (numbers right-aligned)."""
    header = list(rows[0])
    align = ["---:" if isinstance(rows[0][key], int | float) else "---" for key in header]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(row[key]) for key in header) + " |" for row in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
