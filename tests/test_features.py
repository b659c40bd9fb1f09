import numpy as np
import pandas as pd
import pytest
import yaml

from nextgenre.constants import GENRES, GROUPS, class_names
from nextgenre.features import build_features
from nextgenre.processed import read_processed, write_processed
from nextgenre.sequences import Windows, oversample, windows_for
from nextgenre.split import split_users
from nextgenre.stress_windows import scale_stress
from tests.conftest import ROOT
from tests.fake_pipeline_data import write_fake_pipeline_data

# Its module-scoped fixtures are built once: all its tests run in one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("test_features")

DIM = 16


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    return write_fake_pipeline_data(tmp_path_factory.mktemp("fake"), dim=DIM)


def params_with(**features):
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["features"].update({"history": 6, **features})
    return params


def build(fake, **features):
    return build_features(
        fake["sessions"], fake["tweets"], fake["embedding_tracks"], fake["vectors"], params_with(**features)
    )


def naive_stress(sessions, tweets, s, t, interval):
    """Mean stress of the user's tweets in (s, min(s + I, t)) or (s, s + I], by brute force."""
    s_time, t_time = sessions.created_at[s], sessions.created_at[t]
    end = s_time + pd.Timedelta(minutes=interval)
    mine = tweets[(tweets.user == sessions.user[s]) & (tweets.created_at > s_time)]
    mine = mine[mine.created_at < t_time] if end >= t_time else mine[mine.created_at <= end]
    return mine.stress.mean() if len(mine) else np.nan


@pytest.mark.parametrize("stress, dim", [(False, DIM + 11), (True, DIM + 12)])
def test_input_vector_layout(fake, stress, dim):
    p = build(fake, stress=stress)
    assert p.vectors.shape == (len(fake["sessions"]), dim) and p.vectors.dtype == np.float32
    lay = p.meta["layout"]
    assert lay["text"] == [0, DIM] and lay["genre"] == [DIM + 1, DIM + 7]
    genre_block = p.vectors[:, slice(*lay["genre"])]
    assert np.array_equal(genre_block.argmax(1), fake["sessions"].genre.map(GENRES.index).to_numpy())
    assert np.all(genre_block.sum(1) == 1) and np.all(p.vectors[:, slice(*lay["time_of_day"])].sum(1) == 1)
    assert np.array_equal(p.vectors[:, DIM], fake["sessions"].disorder.to_numpy())
    # The text part is the track's embedding.
    row = fake["embedding_tracks"].track.tolist().index(fake["sessions"].track[0])
    assert np.array_equal(p.vectors[0, :DIM], fake["vectors"][row])
    assert ("stress" in lay) == stress and p.meta["input_dim"] == dim
    assert np.array_equal(p.genres, fake["sessions"].genre.map(GENRES.index).to_numpy())


@pytest.mark.parametrize("stress", [False, True])
def test_text_off_leaves_the_lyrics_out_and_nothing_else(fake, stress):
    on, off = build(fake, stress=stress), build(fake, stress=stress, text=False)
    assert "text" not in off.meta["layout"] and off.meta["input_dim"] == on.meta["input_dim"] - DIM
    assert np.array_equal(off.vectors, on.vectors[:, DIM:])
    pd.testing.assert_frame_equal(off.samples, on.samples)
    pd.testing.assert_frame_equal(off.overrides, on.overrides)


def test_stress_scaling_and_zero_policy(fake):
    assert np.allclose(scale_stress([-1, -3, -5]), [0, 0.5, 1])
    p = build(fake, stress=True, missing_stress="zero")
    raw = fake["sessions"].stress_30.to_numpy()
    col = p.meta["layout"]["stress"][0]
    assert np.allclose(p.vectors[:, col], np.where(np.isnan(raw), 0, (-1 - raw) / 4))


def test_no_history_input_comes_from_the_target_or_later(fake):
    sessions = fake["sessions"]
    p = build(fake)
    s = p.samples
    assert len(s) > 0.8 * len(sessions)
    assert np.all(s.start < s.target) and np.all(s.target - s.start <= 6)
    times, users = sessions.created_at.to_numpy(), sessions.user.to_numpy()
    for t, start in zip(s.target, s.start):
        rows = np.arange(start, t)
        assert np.all(users[rows] == users[t]) and np.all(times[rows] < times[t])
    # First sessions of users are never targets; every other session is (6 classes, no drop).
    firsts = set(sessions.groupby("user").head(1).index)
    assert firsts.isdisjoint(s.target) and len(s) == len(sessions) - len(firsts)


def test_stress_windows_are_cut_at_the_target_time(fake):
    sessions, tweets = fake["sessions"], fake["tweets"]
    p = build(fake, stress=True, missing_stress="drop")
    ov = p.overrides
    assert len(ov) > 10
    times = sessions.created_at
    width = pd.Timedelta(minutes=30)
    expected = {
        (t, r)
        for t, start in zip(p.samples.target, p.samples.start)
        for r in range(start, t)
        if times[r] + width >= times[t]
    }
    assert set(zip(ov.target, ov.session)) == expected
    for t, r, value in ov.itertuples(index=False):
        mean = naive_stress(sessions, tweets, r, t, 30)
        assert (np.isnan(value) and np.isnan(mean)) or np.isclose(value, (-1 - mean) / 4)
    # Some cut windows lost tweets that the full window has: the cut matters.
    changed = [
        not np.isclose(v, (-1 - sessions.stress_30[r]) / 4, equal_nan=True) for t, r, v in ov.itertuples(index=False)
    ]
    assert any(changed)


def test_cut_window_on_a_hand_made_user():
    t0 = pd.Timestamp("2021-03-01 10:00", tz="UTC")
    at = lambda m: t0 + pd.Timedelta(minutes=m)  # noqa: E731
    sessions = pd.DataFrame(
        {
            "user": ["a"] * 3,
            "group": ["depression"] * 3,
            "disorder": [1] * 3,
            "created_at": [at(0), at(20), at(200)],
            "time_of_day": ["morning"] * 3,
            "track": ["x", "y", "x"],
            "genre": ["pop", "rock", "pop"],
            "stress_30": [-3.0, -1.0, np.nan],
            "n_30": [2, 1, 0],
            "stress_60": [np.nan] * 3,
            "n_60": [0] * 3,
            "stress_90": [np.nan] * 3,
            "n_90": [0] * 3,
        }
    )
    tweets = pd.DataFrame(
        {
            "user": ["a", "a", "a", "b"],
            "created_at": [at(10), at(25), at(20), at(15)],
            "stress": [-5.0, -1.0, -1.0, -1.0],
        }
    )
    # The tweet at exactly the target's time (minute 20) is not before it: excluded too.
    params = params_with(stress=True, history=5)
    params["split"].update(val=0.3, test=0.3)
    sessions = pd.concat([sessions] + [sessions.assign(user=f"z{i}") for i in range(3)], ignore_index=True)
    tweets = pd.concat([tweets] + [tweets.assign(user=f"z{i}") for i in range(3)], ignore_index=True)
    p = build_features(sessions, tweets, pd.DataFrame({"track": ["x", "y"]}), np.ones((2, 3), np.float32), params)
    ov = p.overrides[p.overrides.target == 1]
    assert ov.session.tolist() == [0] and np.isclose(ov.stress.iloc[0], 1.0)  # only -5 at minute 10
    col = p.meta["layout"]["stress"][0]
    assert np.isclose(p.vectors[0, col], 0.5)  # the stored full window: mean(-5, -1)
    w = windows_for(p)
    pos = int(np.flatnonzero(p.samples.target == 1)[0])
    assert np.isclose(w.gather([pos])[0, -1, col], 1.0)
    pos2 = int(np.flatnonzero(p.samples.target == 2)[0])  # 200 min later: no cut
    assert np.allclose(w.gather([pos2])[0, -2:, col], [0.5, 0.0])


@pytest.mark.parametrize("classes", [6, 4, 3])
def test_class_schemes(fake, classes):
    p = build(fake, classes=classes)
    names = class_names(classes)
    assert p.meta["classes"] == names
    target_genres = fake["sessions"].genre.to_numpy()[p.samples.target]
    got = np.asarray(names)[p.samples.label]
    if classes == 6:
        assert np.array_equal(got, target_genres)
    elif classes == 4:
        merged = np.where(np.isin(target_genres, ["jazz", "electronic"]), "others", target_genres)
        assert np.array_equal(got, merged) and names == ["hiphop", "pop", "rock", "others"]
    else:
        assert set(target_genres) == {"hiphop", "pop", "rock"} and np.array_equal(got, target_genres)
    assert p.meta["input_dim"] == DIM + 11  # the genre one-hot stays 6 wide


def test_users_are_split_stratified_and_seeded():
    users = pd.DataFrame({"user": [f"u{i:03d}" for i in range(140)], "group": [GROUPS[i % 7] for i in range(140)]})
    split = split_users(users, 0.15, 0.15, seed=1)
    assert split.index.is_unique and set(split) == {"train", "val", "test"}
    by_group = pd.crosstab(users.set_index("user").group, split)
    assert by_group["test"].tolist() == [3] * 7 and by_group["val"].tolist() == [3] * 7
    assert split.equals(split_users(users.sample(frac=1, random_state=3), 0.15, 0.15, seed=1))
    assert not split.equals(split_users(users, 0.15, 0.15, seed=2))


def test_samples_split_by_user(fake):
    s = build(fake).samples
    assert s.groupby("user_index").split.nunique().max() == 1
    assert set(s.split) == {"train", "val", "test"}


def test_drop_policy_leaves_out_sessions_without_stress(fake):
    p = build(fake, stress=True, missing_stress="drop")
    missing = fake["sessions"].stress_30.isna().to_numpy()
    assert np.array_equal(~p.kept, missing)
    assert not np.any(p.vectors[missing]) and not np.any(missing[p.samples.target])
    assert p.meta["n_sessions_kept"] == int((~missing).sum())


def test_windows_by_index_equal_naive_materialisation(fake, tmp_path):
    p = build(fake, stress=True, missing_stress="drop")
    write_processed(tmp_path, p)
    p = read_processed(tmp_path)  # memory-mapped vectors, as the stages read them
    sessions, tweets, col = fake["sessions"], fake["tweets"], p.meta["layout"]["stress"][0]
    windows = windows_for(p)
    positions = np.arange(len(p.samples))
    fast = windows.gather(positions)
    assert fast.shape == (len(p.samples), 6, p.meta["input_dim"])
    for i, (t, start) in enumerate(zip(p.samples.target, p.samples.start)):
        naive = np.zeros((6, p.meta["input_dim"]), np.float32)
        for k, r in enumerate(range(start, t)):
            step = 6 - (t - start) + k
            naive[step] = p.vectors[r]
            if sessions.created_at[r] + pd.Timedelta(minutes=30) >= sessions.created_at[t]:
                mean = naive_stress(sessions, tweets, r, t, 30)
                if np.isnan(mean):
                    naive[step] = 0.0
                else:
                    naive[step, col] = (-1 - mean) / 4
        assert np.allclose(fast[i], naive), i


def test_oversampling_balances_classes():
    positions = np.arange(10, 20)
    labels = np.array([0] * 7 + [1] * 2 + [2])
    out = oversample(positions, labels, seed=0)
    counts = np.bincount(labels[out - 10])
    assert counts.tolist() == [7, 7, 7] and set(out) == set(positions)
    assert np.array_equal(out, oversample(positions, labels, seed=0))


def test_windows_keep_vectors_unmaterialised(fake):
    p = build(fake)
    w = Windows(p.vectors, p.samples, 6)
    assert w.vectors is p.vectors  # one copy of the session vectors; windows only per batch
