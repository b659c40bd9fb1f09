"""Length-bucketed training batches: every sample once per epoch, only padding trimmed."""

import numpy as np
import pandas as pd

from nextgenre.sequences import WindowDataset, Windows


def make_windows(n_users=30, history=6, dim=3, seed=0):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 15, size=n_users)
    vectors = rng.normal(size=(sizes.sum(), dim)).astype(np.float32) + 5  # never all-zero
    targets, starts, first = [], [], 0
    for size in sizes:
        for t in range(first + 1, first + size):
            targets.append(t)
            starts.append(max(first, t - history))
        first += size
    samples = pd.DataFrame({"target": targets, "start": starts})
    return Windows(vectors, samples, history)


def test_bucketed_batches_cover_every_sample_once_and_trim_only_padding():
    windows = make_windows()
    positions = np.arange(len(windows))
    labels = np.zeros(len(windows), dtype=np.int64)
    data = WindowDataset(windows, positions, labels, batch_size=8, shuffle=True, seed=1)
    for _epoch in range(2):
        seen = []
        for i in range(len(data)):
            x, y = data[i]
            chosen = data.batches[i]
            seen += chosen.tolist()
            assert x.shape[1] == windows.lengths(chosen).max()
            full = windows.gather(chosen)
            assert np.array_equal(x, full[:, -x.shape[1] :])  # same real steps
            assert not full[:, : -x.shape[1]].any()  # only padding was cut
        assert sorted(seen) == positions.tolist()
        data.on_epoch_end()


def test_bucketing_reduces_padding_and_is_seeded():
    windows = make_windows(n_users=200)
    positions = np.arange(len(windows))
    labels = np.zeros(len(windows), dtype=np.int64)
    data = WindowDataset(windows, positions, labels, batch_size=16, shuffle=True, seed=3)
    padded = sum(len(b) * windows.lengths(b).max() for b in data.batches)
    assert padded < len(positions) * windows.history
    again = WindowDataset(windows, positions, labels, batch_size=16, shuffle=True, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(data.batches, again.batches))


def test_unshuffled_batches_keep_order_and_full_length():
    windows = make_windows()
    positions = np.arange(len(windows))
    data = WindowDataset(windows, positions, None, batch_size=7)
    assert np.concatenate(data.batches).tolist() == positions.tolist()
    assert data[0][0].shape[1] == windows.history
