"""Batches of windows of one length: every sample once per epoch, no padded step, only padding
trimmed; evaluation outputs put back in the samples' order."""

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


def test_one_length_batches_cover_every_sample_once_and_trim_only_padding():
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
            assert x.shape[1] == windows.lengths(chosen).max() == windows.lengths(chosen).min()
            full = windows.gather(chosen)
            assert np.array_equal(x, full[:, -x.shape[1] :])  # same real steps
            assert not full[:, : -x.shape[1]].any()  # only padding was cut
        assert sorted(seen) == positions.tolist()
        data.on_epoch_end()


def test_batches_compute_no_padded_step_and_are_seeded():
    windows = make_windows(n_users=200)
    positions = np.arange(len(windows))
    labels = np.zeros(len(windows), dtype=np.int64)
    data = WindowDataset(windows, positions, labels, batch_size=16, shuffle=True, seed=3)
    padded = sum(len(b) * windows.lengths(b).max() for b in data.batches)
    assert padded == windows.lengths(positions).sum() < len(positions) * windows.history
    again = WindowDataset(windows, positions, labels, batch_size=16, shuffle=True, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(data.batches, again.batches))


def test_unshuffled_batches_are_fixed_and_outputs_go_back_in_sample_order():
    windows = make_windows()
    positions = np.arange(len(windows))[::-1]
    data = WindowDataset(windows, positions, None, batch_size=7)
    rows = np.concatenate(data.batches)
    assert sorted(rows.tolist()) == sorted(positions.tolist())
    assert all(len(set(windows.lengths(b))) == 1 for b in data.batches)
    assert data.restore_order(rows).tolist() == positions.tolist()
    outputs = np.concatenate([data[i][0][:, -1, :] for i in range(len(data))])  # the latest step of each
    assert np.array_equal(data.restore_order(outputs), windows.gather(positions)[:, -1, :])
    data.on_epoch_end()
    assert all(np.array_equal(a, b) for a, b in zip(np.concatenate(data.batches), rows))


def test_gaps_are_sessions_left_out_of_windows():
    windows = make_windows()
    assert not windows.has_gaps()
    windows.vectors[3] = 0.0  # a session left out (missing_stress=drop)
    assert windows.has_gaps()
