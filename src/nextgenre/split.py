"""The user-level train/validation/test split: every sample of a user falls in one split, so no
test user is seen in training.

Two ways (params `split`):
- one split (folds 0): `test` and `val` shares of the users, drawn with the run's seed;
- k-fold cross-validation over users (folds = k >= 2): the users are cut once into k folds
  (seeded by `fold_seed`, stratified by group), fold `fold` is the test set, and `val` of all
  users are drawn from the other folds for validation. Run once per fold (`dvc exp run -S
  split.fold=2`), every user is tested exactly once; the model's seed (`seed`) is not the fold's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

from nextgenre.errors import NextgenreError


def _pooled_groups(frame: pd.DataFrame, at_least: int) -> pd.Series:
    """Every user's group as a stratum, the groups with fewer than `at_least` users pooled into one."""
    return frame.group.where(frame.group.map(frame.group.value_counts()) >= at_least, "_pooled")


def _strata(frame: pd.DataFrame, n_hold: int) -> pd.Series | None:
    """Groups as strata, those with fewer than 2 users pooled; None where stratifying cannot work."""
    s = _pooled_groups(frame, 2)
    if s.value_counts().min() < 2 or s.nunique() > min(n_hold, len(frame) - n_hold):
        return None
    return s


def _cut(frame: pd.DataFrame, share: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rest, held out): ceil(share * users) held out, stratified by group where it can be."""
    n_hold = int(np.ceil(share * len(frame)))
    try:
        return train_test_split(frame, test_size=n_hold, random_state=seed, stratify=_strata(frame, n_hold))
    except ValueError:
        return train_test_split(frame, test_size=n_hold, random_state=seed)


def _labelled(users: pd.DataFrame, val_users, test_users) -> pd.Series:
    split = pd.Series("train", index=users.user.to_numpy())
    split[val_users.user.to_numpy()] = "val"
    split[test_users.user.to_numpy()] = "test"
    return split


def split_users(users: pd.DataFrame, val: float, test: float, seed: int) -> pd.Series:
    """train/val/test per user, stratified by group (sklearn, seeded).

    Groups with too few users to stratify are pooled into one stratum; with too few users in
    all, the split is plain random.
    """
    users = users.sort_values("user").reset_index(drop=True)
    if len(users) < 3:
        raise NextgenreError(f"only {len(users)} users have samples: at least 3 are needed for train/val/test")
    rest, test_users = _cut(users, test, seed)
    train_users, val_users = _cut(rest, val / (1 - test), seed)
    return _labelled(users, val_users, test_users)


def user_folds(users: pd.DataFrame, folds: int, seed: int) -> pd.Series:
    """The fold (0 .. folds-1) of every user: a seeded partition, stratified by group where every
    group (those with fewer users than folds pooled) can be, else plain."""
    users = users.sort_values("user").reset_index(drop=True)
    if len(users) < folds:
        raise NextgenreError(f"only {len(users)} users have samples: too few for {folds} folds")
    strata = _pooled_groups(users, folds)
    stratify = strata.value_counts().min() >= folds
    cutter = (StratifiedKFold if stratify else KFold)(n_splits=folds, shuffle=True, random_state=seed)
    fold = np.empty(len(users), dtype=np.int64)
    for k, (_, held) in enumerate(cutter.split(users, strata if stratify else None)):
        fold[held] = k
    return pd.Series(fold, index=users.user.to_numpy())


def split_fold(users: pd.DataFrame, val: float, folds: int, fold: int, seed: int) -> pd.Series:
    """train/val/test per user for fold `fold` of `folds`: its users are the test set; `val` of all
    users, drawn (seeded, stratified) from the others, the validation set."""
    if not 0 <= fold < folds:
        raise NextgenreError(f"split.fold = {fold}: expected 0 .. {folds - 1}")
    users = users.sort_values("user").reset_index(drop=True)
    in_fold = user_folds(users, folds, seed).loc[users.user].to_numpy() == fold
    test_users, rest = users[in_fold], users[~in_fold]
    if len(rest) < 2:
        raise NextgenreError(f"fold {fold} of {folds}: too few users outside it for training and validation")
    _, val_users = _cut(rest, val * len(users) / len(rest), seed + fold)
    return _labelled(users, val_users, test_users)


def split_for(users: pd.DataFrame, split: dict, seed: int) -> pd.Series:
    """The split that params `split` asks for (see the module docstring); `seed` is the run's."""
    if split["folds"] >= 2:
        return split_fold(users, split["val"], split["folds"], split["fold"], split["fold_seed"])
    return split_users(users, split["val"], split["test"], seed)
