"""The user-level train/validation/test split: every sample of a user falls in one split, so no
test user is seen in training."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from nextgenre.errors import NextgenreError


def split_users(users: pd.DataFrame, val: float, test: float, seed: int) -> pd.Series:
    """train/val/test per user, stratified by group (sklearn, seeded).

    Groups with too few users to stratify are pooled into one stratum; with too few users in
    all, the split is plain random.
    """
    users = users.sort_values("user").reset_index(drop=True)

    def strata(frame, n_hold):
        counts = frame.group.value_counts()
        s = frame.group.where(frame.group.map(counts) >= 2, "_pooled")
        if s.value_counts().min() < 2 or s.nunique() > min(n_hold, len(frame) - n_hold):
            return None
        return s

    def cut(frame, share):
        n_hold = int(np.ceil(share * len(frame)))
        try:
            return train_test_split(frame, test_size=n_hold, random_state=seed, stratify=strata(frame, n_hold))
        except ValueError:
            return train_test_split(frame, test_size=n_hold, random_state=seed)

    if len(users) < 3:
        raise NextgenreError(f"only {len(users)} users have samples: at least 3 are needed for train/val/test")
    rest, test_users = cut(users, test)
    train_users, val_users = cut(rest, val / (1 - test))
    split = pd.Series("train", index=users.user.to_numpy())
    split[val_users.user.to_numpy()] = "val"
    split[test_users.user.to_numpy()] = "test"
    return split
