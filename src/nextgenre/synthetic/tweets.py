"""Tweets of the synthetic users: when the ordinary tweets fall, their latent stress, the text of
music shares, and timestamps.

- ordinary tweets after a session: the first in the session's bucket (within 30, 30-60, 60-90
  minutes, or none within 90: then half the time one at 90-180 minutes), more after it
  (`window_extra_tweets`); background tweets between 90 minutes after a session and the user's
  next one (`background_tweets`);
- latent stress (-5..-1) of ordinary tweets: a user baseline set by the group
  (`group_stress_gap`), shifted after a session by its genre (`genre_stress_effect`); the words
  of each tweet carry it (nextgenre.synthetic.text);
- timestamps: users.csv lists the UTC offset of most users (their tweets are written in UTC);
  the others' tweets carry their local offset. Offsets are fixed per user (no daylight saving).
"""

from __future__ import annotations

import numpy as np

from nextgenre.constants import GENRES, GROUPS
from nextgenre.synthetic.sessions import PERIOD_START

MARGIN_S = 60  # tweets keep a minute away from every window edge
LATE_TWEET_SHARE = 0.5  # sessions without a tweet in 90 min that get one at 90-180
BACKGROUND_AFTER_LAST_S = 14 * 86400

# Latent stress: control users' mean, and how far each disorder group sits below it, in units
# of synthetic.group_stress_gap. Then the shift of the tweets after a session by its genre
# (positive = calmer), in units of synthetic.genre_stress_effect.
CONTROL_STRESS = -1.8
GROUP_STRESS_WEIGHT = {
    "control": 0.0,
    "depression": 1.0,
    "anxiety": 1.2,
    "bipolar": 0.9,
    "borderline": 1.3,
    "ptsd": 1.3,
    "panic": 1.2,
}
GENRE_STRESS_SHIFT = {"jazz": 0.6, "electronic": 0.2, "hiphop": -0.3, "pop": 0.3, "rock": -0.6, "others": 0.0}
USER_STRESS_SD, TWEET_STRESS_SD = 0.5, 0.8

UTC_OFFSETS = np.array([-480, -420, -360, -300, -180, 0, 60, 120, 330, 480, 600])
UTC_OFFSET_WEIGHTS = np.array([12, 6, 12, 25, 4, 15, 12, 4, 4, 2, 4], dtype=float)

SESSION_TEMPLATES = (
    "now playing {title} by {artist} {link}",
    "{link}",
    "listening to {artist} right now {link}",
    "{title} on repeat {link}",
    "check this {link} by {artist}",
    "{link} what a track",
)


def uniform(rng, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Integers drawn uniformly in [lo, hi], elementwise."""
    return lo + np.floor(rng.random(len(lo)) * (hi - lo + 1)).astype(np.int64)


def after_session_tweets(rng, bucket: np.ndarray, local: np.ndarray, extra_mean: float):
    """Ordinary tweets after sessions: (session, time) of those within 90 minutes (the first in
    the session's bucket, more after it), then of the late ones (90-180 minutes)."""
    has = bucket < 3
    lo = np.array([MARGIN_S, 1800 + MARGIN_S, 3600 + MARGIN_S])[bucket[has]]
    hi = np.array([1800 - MARGIN_S, 3600 - MARGIN_S, 5400 - MARGIN_S])[bucket[has]]
    first = uniform(rng, lo, hi)
    n_extra = rng.poisson(extra_mean, has.sum())
    extra_of = np.repeat(np.arange(has.sum()), n_extra)
    extra = uniform(rng, first[extra_of], np.full(len(extra_of), 5400 - MARGIN_S))
    window_session = np.r_[np.flatnonzero(has), np.flatnonzero(has)[extra_of]]
    window_time = local[window_session] + np.r_[first, extra]
    late = np.flatnonzero(~has & (rng.random(len(bucket)) < LATE_TWEET_SHARE))
    late_time = local[late] + uniform(rng, np.full(len(late), 5400 + MARGIN_S), np.full(len(late), 10800))
    return window_session, window_time, late, late_time


def background_tweets(rng, counts: np.ndarray, local: np.ndarray, gap: np.ndarray, per_session: float):
    """(user, time) of ordinary tweets between 90 minutes after a session and the next one."""
    starts = np.cumsum(counts) - counts
    n_background = rng.poisson(per_session * counts)
    bg_user = np.repeat(np.arange(len(counts)), n_background)
    bg_session = starts[bg_user] + np.floor(rng.random(len(bg_user)) * counts[bg_user]).astype(np.int64)
    bg_time = local[bg_session] + uniform(rng, np.full(len(bg_user), 5400 + MARGIN_S), gap[bg_session] - MARGIN_S)
    return bg_user, bg_time


def user_baselines(rng, user_group: np.ndarray, group_gap: float) -> np.ndarray:
    """Every user's latent stress baseline."""
    return (
        CONTROL_STRESS
        - group_gap * np.array([GROUP_STRESS_WEIGHT[g] for g in GROUPS])[user_group]
        + rng.normal(0, USER_STRESS_SD, len(user_group))
    )


def genre_stress_shifts(effect: float) -> np.ndarray:
    """Stress shift of the tweets after a session, by genre index (last entry: ambiguous share)."""
    return np.r_[[GENRE_STRESS_SHIFT[g] for g in GENRES], 0.0] * effect


def latent_stress(rng, baseline_of_tweet: np.ndarray, shift_of_tweet: np.ndarray) -> np.ndarray:
    """Integer stress -5..-1 of ordinary tweets: baseline + shift + tweet noise, rounded."""
    latent = baseline_of_tweet + shift_of_tweet + rng.normal(0, TWEET_STRESS_SD, len(baseline_of_tweet))
    return np.clip(np.rint(latent), -5, -1).astype(int)


def music_texts(rng, titles, artists, track: np.ndarray, shared: list[str]) -> list[str]:
    """The text of each music share: a template around its link."""
    template = rng.integers(0, len(SESSION_TEMPLATES), len(track))
    return [
        SESSION_TEMPLATES[t].format(title=titles[i].lower(), artist=artists[i], link=link)
        for t, i, link in zip(template, track, shared)
    ]


def _offset_text(minutes: np.ndarray) -> np.ndarray:
    sign = np.where(minutes < 0, "-", "+")
    a = np.abs(minutes)
    return np.array([f"{s}{h:02d}:{m:02d}" for s, h, m in zip(sign, a // 60, a % 60)], dtype=object)


def timestamps(local_s: np.ndarray, offset_min: np.ndarray, listed: np.ndarray) -> np.ndarray:
    """ISO 8601: UTC (+00:00) for users whose offset users.csv lists, local time otherwise."""
    seconds = np.where(listed, local_s - offset_min * 60, local_s)
    stamp = np.datetime_as_string(PERIOD_START + seconds.astype("timedelta64[s]"), unit="s")
    offsets = np.where(listed, "+00:00", _offset_text(offset_min))
    return np.char.add(stamp.astype(str), offsets.astype(str))
