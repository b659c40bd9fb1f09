import dataclasses
import json
import runpy
import shutil

import numpy as np
import pandas as pd
import pytest

from nextgenre import baselines
from nextgenre.baselines import history_features, predict_all
from nextgenre.constants import CLASS_SCHEMES, GENRES, class_names
from nextgenre.errors import NextgenreError
from nextgenre.processed import Processed, no_overrides, read_processed, write_processed
from tests.conftest import ROOT


def make_data(
    users: list[tuple[str, list[str]]], classes: int = 6, history: int = 3, dim: int = 4, vectors=None
) -> Processed:
    """Sessions of users (split, genre names) in order; one sample per session with history."""
    names = class_names(classes)
    scheme = CLASS_SCHEMES[classes]
    genres, rows = [], []
    for user_index, (split, seq) in enumerate(users):
        first = len(genres)
        for i, genre in enumerate(seq):
            row = first + i
            if i >= 1 and scheme[genre] is not None:
                rows.append(
                    {
                        "target": row,
                        "start": max(first, row - history),
                        "label": names.index(scheme[genre]),
                        "split": split,
                        "group": "control",
                        "user_index": user_index,
                    }
                )
            genres.append(GENRES.index(genre))
    if vectors is None:
        vectors = np.random.default_rng(0).normal(size=(len(genres), dim)).astype(np.float32)
    samples = pd.DataFrame(rows).astype({"target": "int64", "start": "int64"})
    overrides = no_overrides()
    return Processed(
        vectors,
        np.array(genres, np.int8),
        np.ones(len(genres), bool),
        samples,
        overrides,
        {"classes": names, "input_dim": vectors.shape[1], "history": history},
    )


def split(data):
    s = data.samples
    return s[s["split"] == "train"], s[s["split"] == "test"]


def cls(data, name):
    return data.classes.index(name)


def test_majority_is_the_training_majority_not_the_test_one():
    data = make_data([("train", ["pop", "rock", "rock", "rock"]), ("test", ["pop", "pop", "pop", "pop", "hiphop"])])
    train, test = split(data)
    assert set(baselines.majority(data, train, test)) == {cls(data, "rock")}


def test_repeat_last_repeats_the_previous_session():
    data = make_data([("train", ["pop", "pop"]), ("test", ["hiphop", "pop", "rock", "pop"])])
    train, test = split(data)
    # test targets: pop (after hiphop), rock (after pop), pop (after rock)
    expected = [cls(data, g) for g in ("hiphop", "pop", "rock")]
    assert baselines.repeat_last(data, train, test).tolist() == expected


def test_repeat_last_in_the_3_class_scheme_skips_unmapped_genres_then_falls_back():
    data = make_data(
        [
            ("train", ["pop", "rock", "rock"]),
            ("test", ["pop", "jazz", "hiphop", "others", "electronic", "jazz", "rock"]),
        ],
        classes=3,
        history=2,
    )
    train, test = split(data)
    # test samples: target hiphop (history pop, jazz) -> pop;
    #               target rock (history electronic, jazz: nothing mapped) -> train majority rock
    assert test["label"].tolist() == [cls(data, "hiphop"), cls(data, "rock")]
    assert baselines.repeat_last(data, train, test).tolist() == [cls(data, "pop"), cls(data, "rock")]


def test_user_top_breaks_ties_toward_the_most_recent_class():
    data = make_data(
        [
            ("train", ["hiphop", "hiphop"]),
            ("test", ["pop", "rock", "rock", "pop", "hiphop"]),
            ("test", ["rock", "pop", "pop", "rock", "hiphop"]),
        ],
        history=10,
    )
    train, test = split(data)
    last_of_each_user = test.groupby("user_index").tail(1)
    predicted = baselines.user_top(data, train, last_of_each_user)
    assert predicted.tolist() == [cls(data, "pop"), cls(data, "rock")]


def test_user_top_counts_all_earlier_sessions_of_the_user_not_only_the_window():
    data = make_data(
        [("train", ["pop", "pop"]), ("test", ["hiphop", "hiphop", "hiphop", "pop", "pop", "rock", "rock"])], history=3
    )
    train, test = split(data)
    last = test.tail(1)  # target rock, window = pop, pop, rock; all earlier: 3 hiphop
    assert baselines.user_top(data, train, last).tolist() == [cls(data, "hiphop")]
    # and never looks at the target or later sessions (another user's)
    first = test.head(1)  # target hiphop, history = one hiphop
    assert baselines.user_top(data, train, first).tolist() == [cls(data, "hiphop")]


def test_markov_is_fitted_on_train_only():
    data = make_data(
        [
            ("train", ["pop", "rock", "pop", "rock", "pop", "rock"]),
            ("test", ["pop", "hiphop", "pop", "hiphop", "pop", "hiphop"]),
        ]
    )
    train, test = split(data)
    pred = baselines.markov(data, train, test)
    pop_before = data.genres[test["target"].to_numpy() - 1] == GENRES.index("pop")
    # after pop, train says rock; the test split (pop -> hiphop, every time) must not leak in
    assert set(pred[pop_before]) == {cls(data, "rock")}
    relabelled = test.assign(label=(test["label"] + 1) % len(data.classes))
    assert np.array_equal(baselines.markov(data, train, relabelled), pred)


def test_markov_unseen_last_genre_falls_back_to_the_training_majority():
    data = make_data([("train", ["pop", "rock", "rock", "rock"]), ("test", ["jazz", "pop"])])
    train, test = split(data)
    assert baselines.markov(data, train, test).tolist() == [cls(data, "rock")]


def test_history_features_are_last_vector_and_window_mean():
    data = make_data([("train", ["pop", "rock", "pop", "rock", "pop"])], history=2, dim=3)
    target, start = 4, 2
    sample = pd.DataFrame({"target": [target], "start": [start]})
    x = history_features(data, sample)
    v = data.vectors
    np.testing.assert_allclose(x[0, :3], v[3], rtol=1e-6)
    np.testing.assert_allclose(x[0, 3:], v[2:4].mean(axis=0), rtol=1e-6)


def test_linear_learns_a_rule_from_the_session_vectors():
    rng = np.random.default_rng(1)
    users = []
    for u in range(30):
        seq = list(rng.choice(["hiphop", "pop", "rock"], size=12))
        users.append(("test" if u % 3 == 0 else "train", seq))
    data = make_data(users, classes=3, dim=6)
    # The vector of a session encodes the genre of the *next* session: a rule a linear model finds.
    vectors = rng.normal(scale=0.1, size=(len(data.genres), 6)).astype(np.float32)
    nxt = np.roll(data.genres, -1)
    vectors[np.arange(len(nxt)), nxt % 6] += 3
    data = dataclasses.replace(data, vectors=vectors)
    train, test = split(data)
    pred = baselines.linear(data, train, test, seed=0)
    assert (pred == test["label"].to_numpy()).mean() == 1.0


def test_predict_all_and_metrics_on_files(tmp_path):
    rng = np.random.default_rng(2)
    users = [("train" if u % 4 else "test", list(rng.choice(GENRES, size=10))) for u in range(16)]
    data = make_data(users, classes=4)
    write_processed(tmp_path / "processed", data)
    loaded = read_processed(tmp_path / "processed")
    assert loaded.kept.all() and loaded.overrides.empty and loaded.stress_column is None
    preds = predict_all(loaded, seed=0)
    test = data.samples[data.samples["split"] == "test"]
    assert list(preds.columns) == ["target", "y_true", *baselines.BASELINES]
    assert preds["target"].tolist() == test["target"].tolist()
    assert preds["y_true"].tolist() == test["label"].tolist()
    for name in baselines.BASELINES:
        assert preds[name].between(0, len(data.classes) - 1).all()
    assert predict_all(loaded, seed=0).equals(preds)

    m = baselines.metrics(preds, data.classes)
    assert m["n_test"] == len(test) and m["classes"] == data.classes
    for name in baselines.BASELINES:
        acc = (preds[name] == preds["y_true"]).mean()
        assert m[name]["accuracy"] == pytest.approx(acc)
        assert set(m[name]) == {"accuracy", "macro_f1", "balanced_accuracy"}


def test_stage_writes_predictions_and_metrics(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    users = [("train" if u % 3 else "test", list(rng.choice(GENRES, size=8))) for u in range(12)]
    data = make_data(users, classes=6)
    write_processed(tmp_path / "data" / "processed", data)
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    shutil.copy(ROOT / "dvc.yaml", tmp_path / "dvc.yaml")
    monkeypatch.chdir(tmp_path)
    stage = runpy.run_path(str(ROOT / "stages" / "baselines.py"), run_name="stage")
    stage["main"]()
    first = [
        (tmp_path / p).read_bytes() for p in ("data/predictions/baselines.parquet", "data/predictions/baselines.json")
    ]
    stage["main"]()
    assert [
        (tmp_path / p).read_bytes() for p in ("data/predictions/baselines.parquet", "data/predictions/baselines.json")
    ] == first
    m = json.loads(first[1])
    assert set(m) == {*baselines.BASELINES, "n_test", "classes"}
    preds = pd.read_parquet(tmp_path / "data/predictions/baselines.parquet")
    assert preds.dtypes["target"] == np.int64 and len(preds) == m["n_test"]


def test_left_out_sessions_are_invisible_to_every_baseline():
    data = make_data(
        [("train", ["pop", "pop", "pop"]), ("test", ["rock", "rock", "hiphop", "hiphop", "pop"])], history=4, dim=2
    )
    kept = np.ones(len(data.genres), bool)
    kept[[5, 6]] = False  # the test user's two hiphop sessions, right before the last target
    data = dataclasses.replace(data, kept=kept)
    train, test = split(data)
    last = test.tail(1)  # target pop at row 7, window rows 3..6 = rock, rock, (hiphop, hiphop)
    assert baselines.repeat_last(data, train, last).tolist() == [cls(data, "rock")]
    assert baselines.user_top(data, train, last).tolist() == [cls(data, "rock")]
    assert baselines.MarkovBaseline._state(data, last).tolist() == [GENRES.index("rock")]
    x = history_features(data, last)
    np.testing.assert_allclose(x[0, :2], data.vectors[4], rtol=1e-6)
    np.testing.assert_allclose(x[0, 2:], data.vectors[3:5].mean(axis=0), rtol=1e-6)


def test_linear_features_apply_the_stress_overrides_like_the_models():
    vectors = np.arange(6 * 3, dtype=np.float32).reshape(6, 3)  # column 2 is the stress
    data = make_data([("test", ["pop", "rock", "pop", "rock", "pop", "rock"])], history=3, vectors=vectors)
    sample = pd.DataFrame({"target": [5], "start": [2]})  # steps: rows 2, 3, 4
    overrides = pd.DataFrame(
        {"target": [5, 5, 4], "session": [4, 2, 3], "stress": np.array([0.5, np.nan, 9.0], np.float32)}
    )
    data = dataclasses.replace(
        data, vectors=vectors, overrides=overrides, meta={**data.meta, "layout": {"text": [0, 2], "stress": [2, 3]}}
    )
    x = history_features(data, sample)
    # row 2 is masked for target 5 (NaN); row 4's stress becomes 0.5; target 4's override is ignored
    np.testing.assert_allclose(x[0, :3], [12, 13, 0.5])
    np.testing.assert_allclose(x[0, 3:], [(9 + 12) / 2, (10 + 13) / 2, (11 + 0.5) / 2])


def test_the_reader_names_a_missing_file_and_reads_kept_flags_and_overrides(tmp_path):
    data = make_data([("train", ["pop", "rock", "pop"]), ("test", ["pop", "rock"])], dim=5)
    overrides = pd.DataFrame({"target": [2], "session": [0], "stress": np.array([0.1], np.float32)})
    data = dataclasses.replace(
        data,
        kept=np.array([True, False, True, True, True]),
        overrides=overrides,
        meta={**data.meta, "layout": {"text": [0, 4], "stress": [4, 5]}},
    )
    write_processed(tmp_path, data)
    loaded = read_processed(tmp_path)
    assert loaded.kept.tolist() == [True, False, True, True, True]
    assert loaded.stress_column == 4 and len(loaded.overrides) == 1
    (tmp_path / "kept.npy").unlink()
    with pytest.raises(NextgenreError, match="kept.npy: not found"):
        read_processed(tmp_path)
