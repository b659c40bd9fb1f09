"""Music sessions of the synthetic users: how many per user, their genres, the bucket of their
first following ordinary tweet, and their local times.

- per-user session counts: MIN_SESSIONS + a multinomial split with lognormal weights (heavy
  tail), summing exactly to the group's total (`sessions_sigma`);
- per-user genre taste: Dirichlet around the group's mix (`taste_concentration`); a session
  repeats the previous session's genre with probability `stickiness`, else draws from the taste
  (the planted effects of nextgenre.synthetic.effects add to this chain); afterwards a few
  sessions are relabelled at random so that each group's genre counts are exact;
- time of day depends on the genre (`time_of_day_shift`), in the user's local time; sessions
  are spread over 2019-2021, one per day at most, at least 4 hours apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nextgenre.constants import GENRES, GROUPS
from nextgenre.errors import NextgenreError
from nextgenre.synthetic import effects as planted
from nextgenre.synthetic.plan import MIN_SESSIONS, Plan

PERIOD_START = np.datetime64("2019-01-01T00:00:00", "s")
PERIOD_DAYS = 1096  # 2019-01-01 .. 2021-12-31, local days
MIN_GAP_S = 4 * 3600  # sessions of a user are at least this far apart

# Share of sessions per part of the day (morning, afternoon, evening, night).
BASE_TIME_PROFILE = np.array([0.22, 0.30, 0.32, 0.16])
GENRE_TIME_PROFILE = {
    "jazz": [0.36, 0.24, 0.30, 0.10],
    "electronic": [0.10, 0.20, 0.34, 0.36],
    "hiphop": [0.14, 0.26, 0.33, 0.27],
    "pop": [0.30, 0.36, 0.24, 0.10],
    "rock": [0.20, 0.30, 0.36, 0.14],
    "others": [0.28, 0.30, 0.28, 0.14],
}
PART_START_HOUR = np.array([6, 12, 18, 0])  # morning, afternoon, evening, night

PROBABILITY_COLUMNS = [f"p_{g}" for g in GENRES]


def _session_counts(rng, n_users: int, n_sessions: int, sigma: float, cap: int) -> np.ndarray:
    """Sessions per user: MIN_SESSIONS each plus a multinomial share with lognormal weights,
    summing to `n_sessions`; a user over `cap` passes the excess on to the others."""
    weights = rng.lognormal(0.0, sigma, n_users)
    counts = MIN_SESSIONS + rng.multinomial(n_sessions - MIN_SESSIONS * n_users, weights / weights.sum())
    while counts.max() > cap and (counts < cap).any():
        excess = int(np.maximum(counts - cap, 0).sum())
        counts = np.minimum(counts, cap)
        room = np.where(counts < cap, weights, 0.0)
        counts += rng.multinomial(excess, room / room.sum())
    return counts


def _fix_quota(rng, genre: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Relabel as few sessions as possible, at random, so the genre counts equal `target`."""
    excess = np.bincount(genre, minlength=len(target)) - target
    pool = [rng.choice(np.flatnonzero(genre == k), size=e, replace=False) for k, e in enumerate(excess) if e > 0]
    if not pool:
        return genre
    pool = np.concatenate(pool)
    labels = np.repeat(np.arange(len(target)), np.maximum(-excess, 0))
    genre = genre.copy()
    genre[pool] = rng.permutation(labels)
    return genre


def taste_prior(target: np.ndarray, concentration: float) -> np.ndarray:
    """The Dirichlet parameters of a group's per-user taste, from its genre counts."""
    return np.maximum(concentration * target / target.sum(), 1e-3)


def _genre_sequences(rng, counts, target, config, effects: planted.Effects) -> dict:
    """Genre of every session, users one after the other, each user's in time order; with the
    chain's probability of each genre (before the quota fix) and the users' taste."""
    n_users, k = len(counts), len(target)
    user = np.repeat(np.arange(n_users), counts)
    taste = rng.dirichlet(taste_prior(target, config["taste_concentration"]), size=n_users)
    cumulative = np.cumsum(taste, axis=1)
    fresh = np.minimum((rng.random(len(user))[:, None] > cumulative[user]).sum(axis=1), k - 1)
    first = np.r_[True, user[1:] != user[:-1]]
    repeat = (rng.random(len(user)) < config["stickiness"]) & ~first
    if effects.chain_active:
        chain = planted.planted_chain(effects, counts, taste, fresh, repeat, config["stickiness"])
    else:
        source = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(user))))
        genre = fresh[source]
        previous = np.eye(k)[np.r_[0, genre[:-1]]]
        s = config["stickiness"]
        probability = np.where(first[:, None], taste[user], s * previous + (1 - s) * taste[user])
        planted.skip_retired_draw(effects, n_users)
        chain = {"genre": genre, "probability": probability, "mood": np.zeros(len(user), dtype=np.int8)}
    chain["taste"] = taste
    chain["final"] = _fix_quota(rng, chain["genre"], target)
    return chain


def _buckets(rng, group, genre, within, first=None) -> np.ndarray:
    """0/1/2/3: the session's first ordinary tweet falls within 30, 30-60, 60-90, >90 min;
    exact quotas per group and genre, assigned at random (sessions flagged `first` before the
    others of their group and genre: they get the earliest buckets)."""
    n_genres = within.shape[2]
    cell = group * n_genres + genre
    keys = (rng.random(len(cell)), cell) if first is None else (rng.random(len(cell)), ~first, cell)
    order = np.lexsort(keys)
    sorted_cell = cell[order]
    rank = np.arange(len(cell)) - np.searchsorted(sorted_cell, sorted_cell, side="left")
    limits = within[:, group[order], genre[order]]  # 3 x n
    bucket = np.empty(len(cell), dtype=np.int64)
    bucket[order] = (rank[None, :] >= limits).sum(axis=0)
    return bucket


def build_sessions(rng, the_plan: Plan, config: dict, effects: planted.Effects) -> tuple[pd.DataFrame, np.ndarray]:
    """All music-link shares of catalogued tracks: kept (genre 0..5) and ambiguous (genre -1),
    sorted by user and time order, with the bucket of their first following tweet, and for kept
    ones the chain's genre probabilities (p_<genre>), whether the quota fix relabelled them and
    their mood flag. Also every user's taste (users x genres)."""
    parts, tastes, first_user = [], [], 0
    for g, _group in enumerate(GROUPS):
        n_users, target = int(the_plan.users[g]), the_plan.sessions[g]
        cap = int(0.9 * PERIOD_DAYS / (1 + config["ambiguous_share"]))  # room for ambiguous shares
        counts = _session_counts(rng, n_users, int(target.sum()), config["sessions_sigma"], cap)
        chain = _genre_sequences(rng, counts, target, config, effects)
        tastes.append(chain["taste"])
        user = np.repeat(np.arange(n_users), counts)
        position = np.arange(len(user)) - np.repeat(np.cumsum(counts) - counts, counts)
        kept = pd.DataFrame(
            {"user": first_user + user, "group": g, "genre": chain["final"], "key": position.astype(float)}
        )
        kept["relabelled"] = chain["final"] != chain["genre"]
        kept["mood"] = chain["mood"]
        kept[PROBABILITY_COLUMNS] = chain["probability"]
        n_ambiguous = int(round(target.sum() * config["ambiguous_share"]))
        amb_user = np.repeat(np.arange(n_users), rng.multinomial(n_ambiguous, counts / counts.sum()))
        ambiguous = pd.DataFrame(
            {
                "user": first_user + amb_user,
                "group": g,
                "genre": -1,
                "key": rng.random(len(amb_user)) * counts[amb_user],
            }
        )
        parts += [kept, ambiguous]
        first_user += n_users
    sessions = pd.concat(parts, ignore_index=True)
    sessions = sessions.sort_values(["user", "key"], kind="stable").reset_index(drop=True)
    sessions["mood"] = sessions["mood"].fillna(0).astype(np.int8)
    sessions["relabelled"] = sessions["relabelled"].fillna(False).astype(bool)

    bucket = np.full(len(sessions), 3)
    is_kept = sessions["genre"].to_numpy() >= 0
    mood = sessions["mood"].to_numpy()[is_kept] > 0 if effects.mood > 0 else None
    bucket[is_kept] = _buckets(
        rng, sessions["group"].to_numpy()[is_kept], sessions["genre"].to_numpy()[is_kept], the_plan.within, first=mood
    )
    # Ambiguous shares follow their group's overall bucket shares.
    totals = the_plan.sessions.sum(axis=1)
    cum = the_plan.within.sum(axis=2).T / np.maximum(totals, 1)[:, None]  # groups x 3
    amb_group = sessions["group"].to_numpy()[~is_kept]
    bucket[~is_kept] = (rng.random(len(amb_group))[:, None] >= cum[amb_group]).sum(axis=1)
    sessions["bucket"] = bucket
    return sessions.drop(columns="key"), np.concatenate(tastes)


def session_times(rng, sessions: pd.DataFrame, time_shift: float) -> np.ndarray:
    """Local time of every session in seconds since PERIOD_START: one per day at most, the
    part of the day drawn from the genre's profile, at least MIN_GAP_S apart."""
    user = sessions["user"].to_numpy()
    counts = np.bincount(user)
    if counts.max() > PERIOD_DAYS:
        raise NextgenreError(
            f"synthetic: a user got {counts.max()} sessions, more than the "
            f"{PERIOD_DAYS} days of the period; lower synthetic.sessions_sigma"
        )
    days = np.concatenate([np.sort(rng.choice(PERIOD_DAYS, size=c, replace=False)) for c in counts])
    profiles = np.array(
        [(1 - time_shift) * BASE_TIME_PROFILE + time_shift * np.array(GENRE_TIME_PROFILE[g]) for g in GENRES]
        + [BASE_TIME_PROFILE]
    )  # row -1: ambiguous shares
    genre = sessions["genre"].to_numpy()
    cumulative = np.cumsum(profiles, axis=1)[genre]
    part = np.minimum((rng.random(len(genre))[:, None] > cumulative).sum(axis=1), 3)
    seconds = (PART_START_HOUR[part] + rng.integers(0, 6, len(genre))) * 3600 + rng.integers(0, 3600, len(genre))
    local = days.astype(np.int64) * 86400 + seconds
    position = np.arange(len(user)) - np.repeat(np.cumsum(counts) - counts, counts)
    big = np.int64(10**12)
    shifted = np.maximum.accumulate(local - position * MIN_GAP_S + user * big)
    return shifted - user * big + position * MIN_GAP_S
