"""The artist input (features.artist): a vocabulary of the training users' artists only, one
shared unknown index for every other artist, the index as the last column of the vectors, and
baselines that do not change with it."""

import numpy as np
import pandas as pd
import pytest
import yaml

from nextgenre.artists import UNKNOWN, artist_indexes, fit_vocabulary, vocabulary_size
from nextgenre.baselines import predict_all
from nextgenre.features import FeaturesError, build_features
from tests.conftest import ROOT
from tests.fake_pipeline_data import write_fake_pipeline_data

pytestmark = pytest.mark.xdist_group("test_artists")

DIM = 8


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    data = write_fake_pipeline_data(tmp_path_factory.mktemp("fake"), n_users=30, sessions_per_user=10, dim=DIM)
    return data


def build(fake, sessions=None, **features):
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["features"].update({"history": 5, **features})
    sessions = fake["sessions"] if sessions is None else sessions
    return build_features(sessions, fake["tweets"], fake["embedding_tracks"], fake["vectors"], params)


def test_vocabulary_and_indexes():
    artists = pd.Series(["B", " a ", "b", None, "", "C"])
    vocabulary = fit_vocabulary(artists, np.array([True, True, True, True, True, False]))
    assert list(vocabulary) == ["a", "b"] and vocabulary_size(vocabulary) == 4  # masked 0, unknown 1, a, b
    assert artist_indexes(artists, vocabulary).tolist() == [3, 2, 3, UNKNOWN, UNKNOWN, UNKNOWN]


def test_a_test_users_artist_never_enters_the_vocabulary(fake):
    plain = build(fake)
    split_of = plain.samples.drop_duplicates("user_index").set_index("user_index").split
    users = sorted(fake["sessions"].user.unique())
    test_user = users[split_of[split_of == "test"].index[0]]
    sessions = fake["sessions"].copy()
    mine = (sessions.user == test_user).to_numpy()
    sessions.loc[mine, "artist"] = "only a test user plays this"
    p = build(fake, sessions, artist=True)
    assert p.samples.split.equals(plain.samples.split)  # the artists do not move the split
    column = p.meta["layout"]["artist"][0]
    assert p.meta["layout"]["artist"] == [p.meta["input_dim"] - 1, p.meta["input_dim"]]
    assert np.all(p.vectors[mine, column] == UNKNOWN)
    train_users = {users[u] for u in split_of[split_of == "train"].index}
    training = sessions.user.isin(train_users).to_numpy()
    assert p.meta["artist_vocabulary"] == sessions.artist[training].nunique() + 2
    assert np.all(p.vectors[training, column] >= 2)  # every training session's artist is known
    # The other columns are the vectors without the artist input.
    assert np.array_equal(p.vectors[:, :column], plain.vectors) and "artist_vocabulary" not in plain.meta
    assert p.artist_input == {"column": column, "vocabulary": p.meta["artist_vocabulary"]}


def test_left_out_sessions_stay_all_zero_and_baselines_ignore_the_artist(fake):
    p = build(fake, artist=True, stress=True, missing_stress="drop")
    assert not p.kept.all() and not p.vectors[~p.kept].any()
    assert np.all(p.vectors[p.kept, p.meta["layout"]["artist"][0]] >= UNKNOWN)
    plain = build(fake, stress=True, missing_stress="drop")
    assert predict_all(p, seed=0).equals(predict_all(plain, seed=0))


def test_sessions_without_an_artist_column_are_refused_only_when_it_is_asked_for(fake):
    sessions = fake["sessions"].drop(columns="artist")
    build(fake, sessions)
    with pytest.raises(FeaturesError, match="missing column 'artist'"):
        build(fake, sessions, artist=True)
