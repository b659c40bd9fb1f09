"""The counts the synthetic stand-in generates, derived from the paper's Tables I-IV.

At scale 1.0:
- Users per group: Table I. Table I has no ptsd row, Table III has no panic row.
  * ptsd users = ptsd's 90-minute Table III sessions / (the 90-minute sessions per user of the
    disorder groups that appear in both tables: depression, anxiety, bipolar, borderline),
    i.e. 2183 / (6166 / 2230) = 790 users.
  * panic: its 40 users (Table I) share music, but none of their sessions has an ordinary
    tweet within 90 minutes. This is what the tables say: Table III has no panic row and its
    60- and 90-minute rows sum exactly to Table II, leaving no panic session with a stress
    score. Their sessions per user equal the other disorder groups' average.
- Sessions per group: every group (except panic) has the same share r of its sessions with a
  tweet within 90 minutes, r chosen so that all groups together have Table IV's 75,063
  sessions (r = 0.345). The sessions with a tweet within 90 minutes have Table III's genre mix;
  the others get the genre mix that makes each genre's total hit Table IV (iterative
  proportional fitting, seeded with the group's own Table III mix).
- Each session's first ordinary tweet after it falls within 30, 30-60, 60-90 or over 90
  minutes, as exact quotas per group and genre taken from Table III (the 30-minute rows sum to
  14,519, 50 more than Table II's 14,469; the generator follows Table III).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nextgenre.constants import DISORDER_GROUPS, GENRES, GROUPS, INTERVALS

MIN_SESSIONS = 2  # sessions of every user (so each can give a sample)
KNOWN_DISORDERS = ("depression", "anxiety", "bipolar", "borderline")  # in Tables I and III


@dataclass(frozen=True)
class Plan:
    """Target counts, in GROUPS and GENRES order."""

    users: np.ndarray  # users per group
    sessions: np.ndarray  # groups x genres: music sessions that ingest keeps
    within: np.ndarray  # 3 x groups x genres: of those, with a tweet within 30/60/90 min


def _stress_tables(tables: dict) -> np.ndarray:
    """Table III as a 3 x groups x genres array (panic row zero), cumulative over intervals."""
    counts = np.zeros((len(INTERVALS), len(GROUPS), len(GENRES)))
    for i, interval in enumerate(INTERVALS):
        rows = tables["genre_by_group"].get(interval, tables["genre_by_group"].get(str(interval)))
        for group, row in rows.items():
            counts[i, GROUPS.index(group)] = row
    return np.maximum.accumulate(counts, axis=0)


def derived_ptsd_users(tables: dict) -> float:
    """ptsd users: its 90-minute Table III sessions over the per-user rate of the other
    disorder groups that appear in both Table I and Table III."""
    c90 = _stress_tables(tables)[2].sum(axis=1)
    known = [GROUPS.index(g) for g in KNOWN_DISORDERS]
    users = sum(tables["users_per_group"][g] for g in KNOWN_DISORDERS)
    return float(c90[GROUPS.index("ptsd")] / (c90[known].sum() / users))


def _ipf(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, iterations: int = 500) -> np.ndarray:
    m = seed.astype(float).copy()
    for _ in range(iterations):
        m *= (rows / np.maximum(m.sum(axis=1), 1e-12))[:, None]
        m *= (cols / np.maximum(m.sum(axis=0), 1e-12))[None, :]
    return m


def plan(tables: dict, scale: float) -> Plan:
    """The counts to generate at `scale` (see the module docstring for the reasoning)."""
    within = _stress_tables(tables)
    c90 = within[2]
    users = np.array([tables["users_per_group"].get(g, 0) for g in GROUPS], dtype=float)
    users[GROUPS.index("ptsd")] = derived_ptsd_users(tables)
    genre_totals = np.array([tables["class_counts_6"][g] for g in GENRES], dtype=float)

    panic = GROUPS.index("panic")
    disorders = [GROUPS.index(g) for g in DISORDER_GROUPS if g != "panic"]
    c90_per_user = c90[disorders].sum() / users[disorders].sum()  # = r * sessions per user
    share = (c90.sum() + users[panic] * c90_per_user) / genre_totals.sum()
    sessions = c90.sum(axis=1) / share
    sessions[panic] = users[panic] * c90_per_user / share

    seed = c90 + 1.0
    seed[panic] = c90[disorders].sum(axis=0) + 1.0
    rest = _ipf(seed, sessions - c90.sum(axis=1), genre_totals - c90.sum(axis=0))

    users_s = np.maximum(1, np.rint(users * scale)).astype(int)
    within_s = np.maximum.accumulate(np.rint(within * scale), axis=0).astype(int)
    rest_s = np.rint(rest * scale).astype(int)
    column_gap = np.rint(genre_totals * scale).astype(int) - within_s[2].sum(0) - rest_s.sum(0)
    for k, gap in enumerate(column_gap):
        g = int(np.argmax(rest_s[:, k]))
        rest_s[g, k] = max(0, rest_s[g, k] + gap)
    for g in range(len(GROUPS)):  # every user needs MIN_SESSIONS (matters at tiny scales)
        short = users_s[g] * MIN_SESSIONS - within_s[2, g].sum() - rest_s[g].sum()
        if short > 0:
            rest_s[g, int(np.argmax(rest_s[g] + within_s[2, g]))] += short
    return Plan(users=users_s, sessions=within_s[2] + rest_s, within=within_s)
