"""History windows gathered by index, one batch at a time.

A window is at most `history` steps long and padded at the front with all-zero steps (the
models' Masking layer skips them): the most recent session is always the last step. Session
vectors are stored once; only a batch of windows exists in memory at any time.

Batches hold windows of exactly one length, and a batch is only as long as its windows: no batch
has a padded step. Masked steps cost as much as real ones in a recurrent layer, and most users
have far fewer than `history` earlier sessions, so this roughly halves the work of an epoch, and
the Masking layer finds nothing to mask; no window computes anything else than it would padded
to `history` steps. Training draws the samples of each length in a fresh seeded order every
epoch, cuts them into batches and shuffles the batches; evaluation keeps the samples' order
within each length, and `WindowDataset.order` puts its outputs back in the samples' order.
"""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
from sklearn.utils import resample

from nextgenre.processed import Processed
from nextgenre.stress_windows import Overrides


class Windows:
    """Gathers the input windows of samples from per-session vectors."""

    def __init__(
        self,
        vectors: np.ndarray,
        samples: pd.DataFrame,
        history: int,
        overrides: pd.DataFrame | None = None,
        stress_column: int | None = None,
    ):
        self.vectors = vectors
        self.history = history
        self.targets = samples["target"].to_numpy(dtype=np.int64)
        self.starts = samples["start"].to_numpy(dtype=np.int64)
        self.stress_column = stress_column
        has = overrides is not None and len(overrides) and stress_column is not None
        self.overrides = Overrides(overrides, len(vectors)) if has else None

    def __len__(self) -> int:
        return len(self.targets)

    def has_gaps(self) -> bool:
        """Whether a window can hold an all-zero step among its real steps (a session left out,
        or cut out for one target, by missing_stress=drop): only then must a model mask steps."""
        left_out = bool((~np.asarray(self.vectors).any(axis=1)).any())
        cut_out = self.overrides is not None and bool(np.isnan(self.overrides.stress).any())
        return left_out or cut_out

    def lengths(self, which) -> np.ndarray:
        """Number of history steps (at most `history`) of the windows of samples `which`."""
        which = np.asarray(which, dtype=np.int64)
        return np.minimum(self.targets[which] - self.starts[which], self.history)

    def indexes(self, which: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
        """Session rows (batch, steps) of the windows of samples `which`, and the real-step mask."""
        targets, starts = self.targets[which], self.starts[which]
        rows = targets[:, None] - steps + np.arange(steps)[None, :]
        real = rows >= starts[:, None]
        return np.where(real, rows, 0), real

    def gather(self, which, steps: int | None = None) -> np.ndarray:
        """float32 (len(which), steps, input_dim) windows of samples `which` (positions): the last
        `steps` (default `history`) steps of each window."""
        which = np.asarray(which, dtype=np.int64)
        steps = self.history if steps is None else steps
        rows, real = self.indexes(which, steps)
        x = np.take(np.asarray(self.vectors, dtype=np.float32), rows, axis=0)
        if not real.all():
            x[~real] = 0.0
        if self.overrides is not None:  # stress windows cut at the target's time
            found, values = self.overrides.lookup(self.targets[which][:, None], rows)
            found &= real
            masked = found & np.isnan(values)
            x[found & ~masked, self.stress_column] = values[found & ~masked]
            x[masked] = 0.0  # missing_stress=drop: this step is left out for this target
        return x


def windows_for(processed: Processed) -> Windows:
    """The windows of the samples of data/processed/, with its stress overrides applied."""
    return Windows(
        processed.vectors, processed.samples, processed.meta["history"], processed.overrides, processed.stress_column
    )


def oversample(positions: np.ndarray, labels: np.ndarray, seed: int) -> np.ndarray:
    """Random oversampling: every class drawn with replacement up to the largest class's size."""
    classes, counts = np.unique(labels, return_counts=True)
    rng = np.random.RandomState(seed)
    parts = []
    for c in classes:
        mine = positions[labels == c]
        extra = (
            resample(mine, replace=True, n_samples=counts.max() - len(mine), random_state=rng)
            if counts.max() > len(mine)
            else mine[:0]
        )
        parts.append(np.concatenate([mine, extra]))
    return np.sort(np.concatenate(parts))


class WindowDataset(keras.utils.PyDataset):
    """Batches (windows, labels) of some samples, each batch of windows of one length (see the
    module docstring).

    With `shuffle` (training), batches are drawn afresh (seeded) every epoch. Without it, the
    batches are fixed and `order` says which of `positions` each output row belongs to:
    outputs concatenated over the batches, `restore_order` puts them in `positions` order.
    """

    def __init__(
        self,
        windows: Windows,
        positions: np.ndarray,
        labels: np.ndarray | None,
        batch_size: int,
        shuffle: bool = False,
        seed: int = 0,
    ):
        super().__init__(workers=1, use_multiprocessing=False)
        self.windows = windows
        self.positions = np.asarray(positions, dtype=np.int64)
        self.labels = labels
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.rng = np.random.RandomState(seed)
        self.batches = self._draw_batches()
        self.order = None if shuffle else np.argsort(self.windows.lengths(self.positions), kind="stable")

    def _draw_batches(self) -> list[np.ndarray]:
        """Batches of positions, each of windows of one length."""
        order = self.positions[self.rng.permutation(len(self.positions))] if self.shuffle else self.positions
        lengths = self.windows.lengths(order)
        by_length = np.argsort(lengths, kind="stable")
        order, lengths = order[by_length], lengths[by_length]
        size, batches = self.batch_size, []
        for run in np.split(order, np.flatnonzero(np.diff(lengths)) + 1):
            batches += [run[i : i + size] for i in range(0, len(run), size)]
        if self.shuffle:
            batches = [batches[i] for i in self.rng.permutation(len(batches))]
        return batches

    def restore_order(self, rows: np.ndarray) -> np.ndarray:
        """Rows that follow the batches (unshuffled) put back in `positions` order."""
        restored = np.empty_like(rows)
        restored[self.order] = rows
        return restored

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, i):
        chosen = self.batches[i]
        x = self.windows.gather(chosen, int(self.windows.lengths(chosen[:1])[0]))
        if self.labels is None:
            return (x,)
        return x, self.labels[chosen]

    def on_epoch_end(self):
        if self.shuffle:
            self.batches = self._draw_batches()
