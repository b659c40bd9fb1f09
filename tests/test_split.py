"""User-level k-fold cross-validation (nextgenre.split): every user is tested in exactly one fold,
validation users come from the other folds, and the folds do not follow the model's seed."""

import pandas as pd
import pytest
import yaml

from nextgenre.constants import GROUPS
from nextgenre.errors import NextgenreError, ParamsError
from nextgenre.params import validate
from nextgenre.split import split_fold, split_for, split_users, user_folds
from tests.conftest import ROOT

USERS = pd.DataFrame({"user": [f"u{i:03d}" for i in range(143)], "group": [GROUPS[i % 7] for i in range(143)]})


def folds_params(fold: int, folds: int = 5, fold_seed: int = 0) -> dict:
    return {"val": 0.15, "test": 0.15, "folds": folds, "fold": fold, "fold_seed": fold_seed}


def test_every_user_is_tested_in_exactly_one_fold():
    splits = [split_for(USERS, folds_params(k), seed=42) for k in range(5)]
    tested = [set(s.index[s == "test"]) for s in splits]
    assert sum(len(t) for t in tested) == len(USERS)  # no user in two test folds ...
    assert set().union(*tested) == set(USERS.user)  # ... and none left out
    assert sorted(len(t) for t in tested) == [28, 28, 29, 29, 29]
    for s in splits:
        assert set(s) == {"train", "val", "test"} and s.index.is_unique and len(s) == len(USERS)
        assert (s == "val").sum() == 22  # ceil(0.15 of all users), drawn from the other folds


def test_folds_are_stratified_seeded_and_not_the_models_seed():
    folds = user_folds(USERS, 5, seed=0)
    counts = pd.crosstab(USERS.set_index("user").group, folds)
    assert (counts.max(axis=1) - counts.min(axis=1)).max() <= 1  # each group spread evenly
    assert folds.equals(user_folds(USERS.sample(frac=1, random_state=3), 5, seed=0))  # row order does not matter
    assert not folds.equals(user_folds(USERS, 5, seed=1))
    # The run's (model's) seed leaves the folds and the validation users as they are.
    assert split_for(USERS, folds_params(2), seed=42).equals(split_for(USERS, folds_params(2), seed=7))
    # Without folds, the one split follows the run's seed, as before.
    one = {"val": 0.15, "test": 0.15, "folds": 0, "fold": 0, "fold_seed": 0}
    assert split_for(USERS, one, seed=1).equals(split_users(USERS, 0.15, 0.15, seed=1))


def test_a_few_users_in_a_group_fall_back_to_a_plain_partition():
    users = pd.DataFrame({"user": [f"u{i}" for i in range(12)], "group": ["control"] * 11 + ["ptsd"]})
    folds = user_folds(users, 5, seed=0)
    assert sorted(folds.value_counts().tolist()) == [2, 2, 2, 3, 3]
    with pytest.raises(NextgenreError, match="too few for 5 folds"):
        user_folds(users.head(4), 5, seed=0)
    with pytest.raises(NextgenreError, match="split.fold = 5"):
        split_fold(users, 0.15, 5, 5, 0)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"folds": 1}, "expected folds 0"),
        ({"folds": 5, "fold": 5}, "fold in 0 .. folds-1"),
        ({"folds": 0, "fold": 1}, "fold in 0 .. folds-1"),
        ({"folds": 2, "val": 0.5}, "split.val \\+ 1 / split.folds"),
    ],
)
def test_fold_settings_are_checked(changes, message):
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["split"].update(changes)
    with pytest.raises(ParamsError, match=message):
        validate(params)
