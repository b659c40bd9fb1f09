"""Planted effects and the truth beside the synthetic data: defaults keep today's bytes, every
setting keeps the calibration, each effect moves the data as docs/synthetic.md documents (and not at
strength 0), oracle >= from-history ceiling >= repeat-last, and the truth never reaches a model
input."""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from nextgenre.constants import GENRES
from nextgenre.errors import NextgenreError
from nextgenre.features import build_features
from nextgenre.ingest import ingest, stress_windows
from nextgenre.params import load_params
from nextgenre.pseudonym import PUBLIC_KEY
from nextgenre.synthetic import derived_ptsd_users, generate, write_raw, write_truth
from nextgenre.synthetic.calibration import compare, constants, format_rows
from nextgenre.synthetic.effects import MOOD_TURN, THEME_WORDS
from nextgenre.synthetic.truth import Truth, ceiling_probabilities, known_answers, read_truth, truth_rows
from tests.conftest import ROOT
from tests.test_synthetic import TABLES, count

PARAMS = load_params(ROOT / "params.yaml")
CONFIG = PARAMS["synthetic"]
STRONG = {"mood_effect": 0.8, "memory_effect": 0.6, "lyrics_effect": 0.8}

# sha256 of the files at scale 0.02, seed 42, every other knob at its default: the generator
# before the planted effects existed wrote exactly these bytes.
DEFAULT_BYTES_0_02 = {
    "tracks.csv": "0e6fd6c8d21f40680ee1e3f2bcca87e9a5593169f148cf06e8414c08d52fe1a1",
    "truth/tweet_stress.csv": "6627a0f54cb8ad6d0759c68994911a74fe7170e7de0633e6a14c7aabeed67066",
    "tweets.csv": "3735c9d5892827986cdd2a2a0301af46cbfe558e4ad3577f79c4917d784b5fe5",
    "users.csv": "e88db9f10744d40427e16bce037196d41815bb9e06eea13f2089c01d5c60c911",
}


@lru_cache(maxsize=8)
def _frames(scale: float, effects: tuple = ()) -> dict:
    return generate({**CONFIG, "scale": scale, **dict(effects)}, 42, TABLES)


def frames(scale: float, **effects) -> dict:
    return _frames(scale, tuple(sorted(effects.items())))


def truth_of(f: dict) -> Truth:
    return Truth(f["session_truth"], f["user_truth"], f["generator"])


def test_defaults_write_the_bytes_of_the_generator_before_the_effects(tmp_path):
    write_raw(frames(0.02), tmp_path)
    for name, digest in DEFAULT_BYTES_0_02.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest, name


def test_calibration_holds_with_every_effect_strong(tmp_path):
    write_raw(frames(0.05, **STRONG), tmp_path)
    rows = compare(count(tmp_path), TABLES, 0.05, ptsd_users=derived_ptsd_users(TABLES))
    failed = [r for r in rows if r["ok"] is False]
    assert not failed, format_rows(failed)


def _after_previous(f: dict, minutes: int = 90) -> pd.DataFrame:
    """Session truth with the mean latent stress of the user's ordinary tweets within `minutes`
    after the previous session (NaN: none), for sessions with a previous one."""
    s = f["session_truth"].copy()
    stress = f["truth"].merge(f["tweets"][["tweet_id", "user_id", "created_at"]], on="tweet_id")
    windows = stress_windows(
        s["user_id"].to_numpy(),
        pd.to_datetime(s["created_at"], utc=True),
        stress["user_id"].to_numpy(),
        pd.to_datetime(stress["created_at"], utc=True),
        stress["stress"].to_numpy(),
        intervals=(minutes,),
    )
    s["window"] = windows[f"stress_{minutes}"]
    s["previous_window"] = s["window"].shift(1)
    s["previous_genre"] = s["genre"].shift(1)
    return s[s["position"] > 0]


@pytest.mark.parametrize("strength", [0.0, 0.8])
def test_mood_turns_the_next_genre_to_the_partner_genre_after_stressed_tweets(strength):
    s = _after_previous(frames(0.05, mood_effect=strength))
    turned = s["genre"] == s["previous_genre"].map(MOOD_TURN)
    stressed = turned[s["previous_window"] <= -3].mean()
    calm = turned[s["previous_window"] >= -2.5].mean()
    if strength:
        assert stressed > calm + 0.15, (stressed, calm)
    else:
        assert abs(stressed - calm) < 0.06, (stressed, calm)


def _back(s: pd.DataFrame, k: int) -> float:
    """P(genre = genre k sessions back | the previous genre differs from it)."""
    g, user = s["genre"].to_numpy(), s["user_id"].to_numpy()
    now, back, previous = g[k:], g[:-k], g[k - 1 : -1]
    same_user = user[k:] == user[:-k]
    mask = same_user & (previous != back)
    return float((now == back)[mask].mean())


@pytest.mark.parametrize("strength", [0.0, 0.6])
def test_memory_makes_the_genre_two_back_return(strength):
    s = frames(0.05, memory_effect=strength)["session_truth"]
    two, three = _back(s, 2), _back(s, 3)
    if strength:
        assert two > three + 0.15, (two, three)
    else:
        assert abs(two - three) < 0.04, (two, three)


@pytest.mark.parametrize("strength", [0.0, 0.8])
def test_lyrics_theme_of_a_track_points_at_the_next_genre(strength):
    f = frames(0.05, lyrics_effect=strength)
    s = f["session_truth"]
    if not strength:
        assert (s["theme"] == "").all()
        theme_words = {w for words in THEME_WORDS.values() for w in words}
        lyric_words = set(" ".join(f["tracks"]["lyrics"]).split())
        assert not lyric_words & theme_words
        return
    previous_theme = s["theme"].shift(1)
    later = (s["position"] > 0) & (previous_theme != "")
    hit = (s["genre"] == previous_theme)[later].mean()
    assert hit > 0.6, hit
    # Within one previous genre, the next genre still follows the theme: beyond the one-hot.
    pop = later & (s["genre"].shift(1) == "pop")
    assert (s["genre"] == previous_theme)[pop].mean() > 0.6
    themed = f["tracks"]["lyrics"].str.split("\n").str[-1].str.split()
    assert themed.map(lambda w: any(set(w) <= set(p) for p in THEME_WORDS.values())).mean() > 0.5


@pytest.mark.parametrize("effects", [{}, {"mood_effect": 0.8}, {"memory_effect": 0.6}, {"lyrics_effect": 0.8}])
def test_oracle_at_least_ceiling_at_least_repeat_last(effects):
    truth = truth_of(frames(0.05, **effects))
    rows = np.flatnonzero(truth.sessions["position"].to_numpy() > 0)
    for classes in (6, 4, 3):
        got = known_answers(truth, rows, classes=classes)
        assert got["oracle"] >= got["ceiling"] - 0.005, (classes, got)
        assert got["ceiling"] >= got["repeat_last"] - 0.005, (classes, got)
        if effects and classes == 6:
            assert got["ceiling"] > got["repeat_last"] + 0.02, got
    if "mood_effect" in effects:  # the stress after a session is what shows the mood
        blind = known_answers(truth, rows, stress=False)
        assert blind["ceiling"] < known_answers(truth, rows)["ceiling"] - 0.05
    if "lyrics_effect" in effects:
        assert known_answers(truth, rows, text=False)["ceiling"] < got["ceiling"] - 0.05


def test_truth_oracle_is_the_chain_at_defaults():
    f = frames(0.02)
    s, users = f["session_truth"], f["user_truth"].set_index("user_id")
    p = s[[f"p_{g}" for g in GENRES]].to_numpy()
    assert np.allclose(p.sum(axis=1), 1)
    taste = users.loc[s["user_id"], [f"taste_{g}" for g in GENRES]].to_numpy()
    first = s["position"].to_numpy() == 0
    assert np.allclose(p[first], taste[first])
    previous = np.eye(len(GENRES))[pd.Categorical(s["genre"].shift(1).fillna("jazz"), GENRES).codes]
    stickiness = constants()["stickiness"]
    chain = stickiness * previous + (1 - stickiness) * taste
    changed = s["relabelled"].shift(1, fill_value=False).to_numpy()  # the chain saw another genre
    assert np.allclose(p[~first & ~changed], chain[~first & ~changed])


def _features(raw):
    got = ingest(raw, PUBLIC_KEY.encode())
    tracks = pd.DataFrame({"track": got.tracks["track"]})
    vectors = np.random.default_rng(0).normal(size=(len(tracks), 8)).astype(np.float32)
    params = {**PARAMS, "features": {**PARAMS["features"], "stress": True}}
    return got, build_features(got.sessions, got.tweets, tracks, vectors, params)


def test_truth_never_reaches_a_model_input_and_maps_onto_the_samples(tmp_path):
    f = frames(0.02, **STRONG)
    raw, truth_dir = tmp_path / "raw", tmp_path / "truth"
    write_raw(f, raw)
    write_truth(f, truth_dir)
    got, before = _features(raw)

    # The samples' targets map onto truth rows of the same genre.
    truth = read_truth(truth_dir)
    rows = truth_rows(truth, got.sessions, before.samples["target"].to_numpy(), PUBLIC_KEY.encode())
    assert (
        truth.sessions["genre"].to_numpy()[rows] == got.sessions["genre"].to_numpy()[before.samples["target"]]
    ).all()
    answers = known_answers(truth, rows)
    assert answers["n"] == len(before.samples) and answers["oracle"] > answers["repeat_last"]

    # Shuffle every truth file (and the latent stress beside the raw data): same features.
    rng = np.random.default_rng(1)
    for path in [*truth_dir.glob("*.csv"), raw / "truth" / "tweet_stress.csv"]:
        table = pd.read_csv(path)
        table.apply(lambda c: rng.permutation(c.to_numpy())).to_csv(path, index=False)
    (truth_dir / "generator.json").write_text("{}")
    _, after = _features(raw)
    with pytest.raises(NextgenreError, match="no row for target session"):  # truth of another run
        truth_rows(read_truth(truth_dir), got.sessions, before.samples["target"].to_numpy(), PUBLIC_KEY.encode())
    assert np.array_equal(before.vectors, after.vectors)
    pd.testing.assert_frame_equal(before.samples, after.samples)
    pd.testing.assert_frame_equal(before.overrides, after.overrides)


def test_ceiling_of_a_user_does_not_depend_on_which_other_users_are_asked_for():
    truth = truth_of(frames(0.02, memory_effect=0.6))
    some = truth.sessions["user_id"].unique()[[3, 7]]
    alone = ceiling_probabilities(truth, some)
    together = ceiling_probabilities(truth)
    pd.testing.assert_frame_equal(alone, together.loc[alone.index])
    assert np.allclose(together.sum(axis=1), 1)


def test_ceiling_within_a_window_sees_only_the_last_sessions():
    truth = truth_of(frames(0.02, memory_effect=0.6, lyrics_effect=0.8))
    users = truth.sessions["user_id"].unique()[:40]
    table = truth.sessions[truth.sessions["user_id"].isin(set(users))]
    whole = ceiling_probabilities(truth, users)
    seen = ceiling_probabilities(truth, users, window=3)
    assert np.allclose(seen.sum(axis=1), 1)
    # A session with its whole history in the window gets the whole-history ceiling's
    # probabilities (the last of each user, drawn with the same particles).
    last = table.groupby("user_id").tail(1)
    short = last.index[last["position"].to_numpy() <= 3]
    assert len(short) > 0
    pd.testing.assert_frame_equal(seen.loc[short], whole.loc[short])
    # Further back, the window leaves sessions out: the probabilities change, and earlier
    # sessions outside the window do not matter (changing one leaves them as they were).
    long = last.index[last["position"].to_numpy() > 6]
    assert len(long) > 0
    assert not np.allclose(seen.loc[long], whole.loc[long])
    changed = Truth(truth.sessions.copy(), truth.users, truth.generator)
    out_of_sight = long - 5  # five sessions back: outside a window of 3
    genre = changed.sessions["genre"].to_numpy().copy()
    genre[changed.sessions.index.get_indexer(out_of_sight)] = [
        GENRES[(GENRES.index(g) + 1) % len(GENRES)] for g in genre[changed.sessions.index.get_indexer(out_of_sight)]
    ]
    changed.sessions["genre"] = genre
    pd.testing.assert_frame_equal(ceiling_probabilities(changed, users, window=3).loc[long], seen.loc[long])
