"""The synthetic stand-in dataset: users, tweets and a track catalogue in the raw schema,
calibrated to the paper's published Tables I-IV (read from paper/tables.yaml at run time).

What it is: a generator whose output, once `ingest` has read it, reproduces the paper's
counts (users per group, music sessions per genre, sessions with a stress score per interval
and their genre mix per group), with enough structure that the study's questions can be
asked of it. What it is not: data about people. Results on it test the pipeline, not the
paper's hypothesis.

Calibration plan (`plan`), at scale 1.0:
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
- Extra sessions on ambiguous tracks (tags of two named parent genres, dropped by ingest) and
  tweets linking to music that is not in the catalogue come on top, so the counts after
  ingest's drops still hit the targets.

Structure (each a knob in params.yaml `synthetic:`):
- per-user session counts: 2 + a multinomial split with lognormal weights (heavy tail),
  summing exactly to the group's total (`sessions_sigma`);
- per-user genre taste: Dirichlet around the group's mix (`taste_concentration`); sessions
  repeat the previous session's genre with probability `stickiness`; afterwards a few sessions
  are relabelled at random so that each group's genre counts are exact;
- time of day depends on the genre (`time_of_day_shift`), in the user's local time; sessions
  are spread over 2019-2021, one per day at most, at least 4 hours apart;
- latent stress (-5..-1) of ordinary tweets: a user baseline set by the group
  (`group_stress_gap`), shifted after a session by its genre (`genre_stress_effect`); the words
  of each tweet carry it (see synthetic_text);
- lyrics from genre-specific word pools; jazz and electronic tracks are often instrumental
  (empty lyrics, `instrumental_share`); raw tags are platform-style subgenres from
  taxonomy.yaml, with spelling variants, extra `others` tags and unlisted tags;
- links from five platforms in several surface forms (see synthetic_links).
Timezones are fixed offsets per user (no daylight saving time).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from nextgenre import synthetic_links as links
from nextgenre import synthetic_text as words
from nextgenre.constants import DISORDER_GROUPS, GENRES, GROUPS, INTERVALS
from nextgenre.errors import NextgenreError

TAXONOMY_PATH = Path(__file__).with_name("taxonomy.yaml")

PERIOD_START = np.datetime64("2019-01-01T00:00:00", "s")
PERIOD_DAYS = 1096                 # 2019-01-01 .. 2021-12-31, local days
MIN_GAP_S = 4 * 3600               # sessions of a user are at least this far apart
MARGIN_S = 60                      # tweets keep a minute away from every window edge
MIN_SESSIONS = 2                   # sessions of every user (so each can give a sample)
LATE_TWEET_SHARE = 0.5             # sessions without a tweet in 90 min that get one at 90-180
LYRICS_MISSING = 0.03              # tracks of the other genres with no lyrics found
ZIPF_EXPONENT = 0.8                # track popularity within a genre
BACKGROUND_AFTER_LAST_S = 14 * 86400
KNOWN_DISORDERS = ("depression", "anxiety", "bipolar", "borderline")  # in Tables I and III

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

# Latent stress: control users' mean, and how far each disorder group sits below it, in units
# of synthetic.group_stress_gap. Then the shift of the tweets after a session by its genre
# (positive = calmer), in units of synthetic.genre_stress_effect.
CONTROL_STRESS = -1.8
GROUP_STRESS_WEIGHT = {"control": 0.0, "depression": 1.0, "anxiety": 1.2, "bipolar": 0.9,
                       "borderline": 1.3, "ptsd": 1.3, "panic": 1.2}
GENRE_STRESS_SHIFT = {"jazz": 0.6, "electronic": 0.2, "hiphop": -0.3, "pop": 0.3,
                      "rock": -0.6, "others": 0.0}
USER_STRESS_SD, TWEET_STRESS_SD = 0.5, 0.8

# Tags that taxonomy.yaml does not list (they resolve to `others`).
UNLISTED_TAGS = ("vaporwave", "polka", "chiptune", "sea shanty", "bossa nova", "new age",
                 "anime", "kids music")
AMBIGUOUS_PAIRS = (("pop", "rock"), ("hiphop", "pop"), ("electronic", "pop"),
                   ("rock", "electronic"), ("hiphop", "electronic"), ("jazz", "hiphop"))

UTC_OFFSETS = np.array([-480, -420, -360, -300, -180, 0, 60, 120, 330, 480, 600])
UTC_OFFSET_WEIGHTS = np.array([12, 6, 12, 25, 4, 15, 12, 4, 4, 2, 4], dtype=float)

SESSION_TEMPLATES = ("now playing {title} by {artist} {link}", "{link}",
                     "listening to {artist} right now {link}", "{title} on repeat {link}",
                     "check this {link} by {artist}", "{link} what a track")


@dataclass(frozen=True)
class Plan:
    """Target counts, in GROUPS and GENRES order."""
    users: np.ndarray      # users per group
    sessions: np.ndarray   # groups x genres: music sessions that ingest keeps
    within: np.ndarray     # 3 x groups x genres: of those, with a tweet within 30/60/90 min


def load_tables(path: str | Path = "paper/tables.yaml") -> dict:
    """The paper's published figures."""
    return yaml.safe_load(Path(path).read_text())


def load_taxonomy(path: str | Path = TAXONOMY_PATH) -> dict[str, list[str]]:
    return yaml.safe_load(Path(path).read_text())


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


# ---------------------------------------------------------------- sessions

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
    pool = [rng.choice(np.flatnonzero(genre == k), size=e, replace=False)
            for k, e in enumerate(excess) if e > 0]
    if not pool:
        return genre
    pool = np.concatenate(pool)
    labels = np.repeat(np.arange(len(target)), np.maximum(-excess, 0))
    genre = genre.copy()
    genre[pool] = rng.permutation(labels)
    return genre


def _genre_sequences(rng, counts, target, concentration, stickiness) -> np.ndarray:
    """Genre of every session, users one after the other, each user's in time order."""
    n_users, k = len(counts), len(target)
    user = np.repeat(np.arange(n_users), counts)
    mix = target / target.sum()
    taste = rng.dirichlet(np.maximum(concentration * mix, 1e-3), size=n_users)
    cumulative = np.cumsum(taste, axis=1)
    fresh = np.minimum((rng.random(len(user))[:, None] > cumulative[user]).sum(axis=1), k - 1)
    first = np.r_[True, user[1:] != user[:-1]]
    repeat = (rng.random(len(user)) < stickiness) & ~first
    source = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(user))))
    return _fix_quota(rng, fresh[source], target)


def _buckets(rng, group, genre, within) -> np.ndarray:
    """0/1/2/3: the session's first ordinary tweet falls within 30, 30-60, 60-90, >90 min;
    exact quotas per group and genre, assigned at random."""
    n_genres = within.shape[2]
    cell = group * n_genres + genre
    order = np.lexsort((rng.random(len(cell)), cell))
    sorted_cell = cell[order]
    rank = np.arange(len(cell)) - np.searchsorted(sorted_cell, sorted_cell, side="left")
    limits = within[:, group[order], genre[order]]  # 3 x n
    bucket = np.empty(len(cell), dtype=np.int64)
    bucket[order] = (rank[None, :] >= limits).sum(axis=0)
    return bucket


def build_sessions(rng, the_plan: Plan, config: dict) -> pd.DataFrame:
    """All music-link shares of catalogued tracks: kept (genre 0..5) and ambiguous (genre -1),
    sorted by user and time order, with the bucket of their first following tweet."""
    parts, first_user = [], 0
    for g, group in enumerate(GROUPS):
        n_users, target = int(the_plan.users[g]), the_plan.sessions[g]
        cap = int(0.9 * PERIOD_DAYS / (1 + config["ambiguous_share"]))  # room for ambiguous shares
        counts = _session_counts(rng, n_users, int(target.sum()), config["sessions_sigma"], cap)
        genre = _genre_sequences(rng, counts, target, config["taste_concentration"],
                                 config["stickiness"])
        user = np.repeat(np.arange(n_users), counts)
        position = np.arange(len(user)) - np.repeat(np.cumsum(counts) - counts, counts)
        kept = pd.DataFrame({"user": first_user + user, "group": g, "genre": genre,
                             "key": position.astype(float)})
        n_ambiguous = int(round(target.sum() * config["ambiguous_share"]))
        amb_user = np.repeat(np.arange(n_users), rng.multinomial(n_ambiguous, counts / counts.sum()))
        ambiguous = pd.DataFrame({"user": first_user + amb_user, "group": g, "genre": -1,
                                  "key": rng.random(len(amb_user)) * counts[amb_user]})
        parts += [kept, ambiguous]
        first_user += n_users
    sessions = pd.concat(parts, ignore_index=True)
    sessions = sessions.sort_values(["user", "key"], kind="stable").reset_index(drop=True)

    bucket = np.full(len(sessions), 3)
    is_kept = sessions["genre"].to_numpy() >= 0
    bucket[is_kept] = _buckets(rng, sessions["group"].to_numpy()[is_kept],
                               sessions["genre"].to_numpy()[is_kept], the_plan.within)
    # Ambiguous shares follow their group's overall bucket shares.
    totals = the_plan.sessions.sum(axis=1)
    cum = the_plan.within.sum(axis=2).T / np.maximum(totals, 1)[:, None]  # groups x 3
    amb_group = sessions["group"].to_numpy()[~is_kept]
    bucket[~is_kept] = (rng.random(len(amb_group))[:, None] >= cum[amb_group]).sum(axis=1)
    sessions["bucket"] = bucket
    return sessions.drop(columns="key")


def _session_times(rng, sessions: pd.DataFrame, time_shift: float) -> np.ndarray:
    """Local time of every session in seconds since PERIOD_START: one per day at most, the
    part of the day drawn from the genre's profile, at least MIN_GAP_S apart."""
    user = sessions["user"].to_numpy()
    counts = np.bincount(user)
    if counts.max() > PERIOD_DAYS:
        raise NextgenreError(f"synthetic: a user got {counts.max()} sessions, more than the "
                             f"{PERIOD_DAYS} days of the period; lower synthetic.sessions_sigma")
    days = np.concatenate([np.sort(rng.choice(PERIOD_DAYS, size=c, replace=False)) for c in counts])
    profiles = np.array([(1 - time_shift) * BASE_TIME_PROFILE + time_shift * np.array(GENRE_TIME_PROFILE[g])
                         for g in GENRES] + [BASE_TIME_PROFILE])  # row -1: ambiguous shares
    genre = sessions["genre"].to_numpy()
    cumulative = np.cumsum(profiles, axis=1)[genre]
    part = np.minimum((rng.random(len(genre))[:, None] > cumulative).sum(axis=1), 3)
    seconds = (PART_START_HOUR[part] + rng.integers(0, 6, len(genre))) * 3600 + rng.integers(0, 3600, len(genre))
    local = days.astype(np.int64) * 86400 + seconds
    position = np.arange(len(user)) - np.repeat(np.cumsum(counts) - counts, counts)
    big = np.int64(10**12)
    shifted = np.maximum.accumulate(local - position * MIN_GAP_S + user * big)
    return shifted - user * big + position * MIN_GAP_S


# ---------------------------------------------------------------- catalogue

def _variant(rng, tag: str) -> str:
    """A platform-style spelling of a tag (same after taxonomy normalisation)."""
    r = rng.random()
    if r < 0.1:
        return tag.title()
    if r < 0.15:
        return tag.replace(" ", "-")
    if r < 0.18:
        return tag.replace(" ", "_").upper()
    return tag


def _tags(rng, genre: str, taxonomy: dict, unlisted: list[str]) -> str:
    if genre == "others":
        pool = list(taxonomy["others"]) + unlisted
        n = 1 + int(rng.random() < 0.3)
        chosen = list(rng.choice(pool, size=n, replace=False))
    else:
        n = 1 + int(rng.random() < 0.35) + int(rng.random() < 0.1)
        chosen = list(rng.choice(taxonomy[genre], size=n, replace=False))
        if rng.random() < 0.2:
            chosen.append(str(rng.choice(taxonomy["others"])))
    return ";".join(_variant(rng, str(t)) for t in chosen)


def _ambiguous_tags(rng, taxonomy: dict) -> str:
    a, b = AMBIGUOUS_PAIRS[int(rng.integers(0, len(AMBIGUOUS_PAIRS)))]
    chosen = [str(rng.choice(taxonomy[a])), str(rng.choice(taxonomy[b]))]
    if rng.random() < 0.3:
        chosen.append(str(rng.choice(taxonomy["others"])))
    return ";".join(_variant(rng, t) for t in rng.permutation(chosen))


def build_catalogue(rng, sessions_per_genre: np.ndarray, n_ambiguous: int, n_uncatalogued: int,
                    config: dict, taxonomy: dict) -> pd.DataFrame:
    """Tracks: kept genres 0..5, ambiguous (-1), and uncatalogued links (-2, not written)."""
    listed = {t for tags in taxonomy.values() for t in tags}
    unlisted = [t for t in UNLISTED_TAGS if t not in listed]
    n_tracks = [max(2, int(round(n * config["tracks_per_session"]))) for n in sessions_per_genre]
    n_tracks += [max(1, int(round(n_ambiguous * config["tracks_per_session"]))), n_uncatalogued]
    genre = np.repeat(np.r_[np.arange(len(GENRES)), -1, -2], n_tracks)
    rows = []
    for g in genre:
        name = GENRES[g] if g >= 0 else "pop"
        if g == -1:
            tags = _ambiguous_tags(rng, taxonomy)
        elif g == -2:
            tags = ""
        else:
            tags = _tags(rng, name, taxonomy, unlisted)
        instrumental = config["instrumental_share"] if name in ("jazz", "electronic") else LYRICS_MISSING
        text = "" if g == -2 or rng.random() < instrumental else words.lyrics(rng, name)
        rows.append((words.title(rng, name), words.artist(rng), tags, text))
    tracks = pd.DataFrame(rows, columns=["title", "artist", "genres", "lyrics"])
    tracks["genre"] = genre
    tracks["platform"] = rng.choice(len(links.PLATFORMS), size=len(genre), p=links.PLATFORM_WEIGHTS)
    tracks["url"] = links.canonical_urls(rng, tracks["platform"].to_numpy(),
                                         tracks["title"].tolist(), tracks["artist"].tolist())
    return tracks


def _pick_tracks(rng, tracks: pd.DataFrame, genre: np.ndarray) -> np.ndarray:
    """A catalogue row per share of the given genre, Zipf-like popularity within the genre."""
    out = np.empty(len(genre), dtype=np.int64)
    track_genre = tracks["genre"].to_numpy()
    for g in np.unique(genre):
        rows = np.flatnonzero(track_genre == g)
        p = 1.0 / np.arange(1, len(rows) + 1) ** ZIPF_EXPONENT
        where = genre == g
        out[where] = rows[rng.choice(len(rows), size=where.sum(), p=p / p.sum())]
    return out


# ---------------------------------------------------------------- tweets

def _offset_text(minutes: np.ndarray) -> np.ndarray:
    sign = np.where(minutes < 0, "-", "+")
    a = np.abs(minutes)
    return np.array([f"{s}{h:02d}:{m:02d}" for s, h, m in zip(sign, a // 60, a % 60)], dtype=object)


def _timestamps(local_s: np.ndarray, offset_min: np.ndarray, listed: np.ndarray) -> np.ndarray:
    """ISO 8601: UTC (+00:00) for users whose offset users.csv lists, local time otherwise."""
    seconds = np.where(listed, local_s - offset_min * 60, local_s)
    stamp = np.datetime_as_string(PERIOD_START + seconds.astype("timedelta64[s]"), unit="s")
    offsets = np.where(listed, "+00:00", _offset_text(offset_min))
    return np.char.add(stamp.astype(str), offsets.astype(str))


def _uniform(rng, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo + np.floor(rng.random(len(lo)) * (hi - lo + 1)).astype(np.int64)


def generate(config: dict, seed: int, tables: dict, taxonomy: dict | None = None) -> dict[str, pd.DataFrame]:
    """The raw-schema tables (`users`, `tweets`, `tracks`) and the latent stress (`truth`)."""
    taxonomy = taxonomy or load_taxonomy()
    rng = np.random.default_rng(seed)
    the_plan = plan(tables, config["scale"])
    sessions = build_sessions(rng, the_plan, config)
    n_users = int(the_plan.users.sum())
    user_group = np.repeat(np.arange(len(GROUPS)), the_plan.users)
    sessions["local"] = _session_times(rng, sessions, config["time_of_day_shift"])

    # Catalogue and the track of every share.
    genre = sessions["genre"].to_numpy()
    n_uncatalogued = int(round(len(sessions) * config["uncatalogued_share"]))
    tracks = build_catalogue(rng, the_plan.sessions.sum(axis=0), int((genre < 0).sum()),
                             n_uncatalogued, config, taxonomy)
    track = _pick_tracks(rng, tracks, genre)

    user = sessions["user"].to_numpy()
    local = sessions["local"].to_numpy()
    counts = np.bincount(user, minlength=n_users)
    starts = np.cumsum(counts) - counts
    last = np.r_[user[1:] != user[:-1], True]
    gap = np.where(last, BACKGROUND_AFTER_LAST_S, np.r_[local[1:] - local[:-1], 0])

    # Ordinary tweets after sessions: the first in the session's bucket, more after it.
    bucket = sessions["bucket"].to_numpy()
    has = bucket < 3
    lo = np.array([MARGIN_S, 1800 + MARGIN_S, 3600 + MARGIN_S])[bucket[has]]
    hi = np.array([1800 - MARGIN_S, 3600 - MARGIN_S, 5400 - MARGIN_S])[bucket[has]]
    first = _uniform(rng, lo, hi)
    n_extra = rng.poisson(config["window_extra_tweets"], has.sum())
    extra_of = np.repeat(np.arange(has.sum()), n_extra)
    extra = _uniform(rng, first[extra_of], np.full(len(extra_of), 5400 - MARGIN_S))
    window_session = np.r_[np.flatnonzero(has), np.flatnonzero(has)[extra_of]]
    window_time = local[window_session] + np.r_[first, extra]
    late = np.flatnonzero(~has & (rng.random(len(bucket)) < LATE_TWEET_SHARE))
    late_time = local[late] + _uniform(rng, np.full(len(late), 5400 + MARGIN_S), np.full(len(late), 10800))

    # Background ordinary tweets: between 90 min after a session and the user's next one.
    n_background = rng.poisson(config["background_tweets"] * counts)
    bg_user = np.repeat(np.arange(n_users), n_background)
    bg_session = starts[bg_user] + np.floor(rng.random(len(bg_user)) * counts[bg_user]).astype(np.int64)
    bg_time = local[bg_session] + _uniform(rng, np.full(len(bg_user), 5400 + MARGIN_S),
                                           gap[bg_session] - MARGIN_S)

    # Shares of music that is not in the catalogue: neither sessions nor ordinary tweets.
    un_session = rng.choice(len(sessions), size=n_uncatalogued)
    un_time = local[un_session] + _uniform(rng, np.full(n_uncatalogued, MARGIN_S),
                                           gap[un_session] - MARGIN_S)
    un_track = np.flatnonzero(tracks["genre"].to_numpy() == -2)

    # Latent stress of ordinary tweets.
    baseline = (CONTROL_STRESS - config["group_stress_gap"] *
                np.array([GROUP_STRESS_WEIGHT[g] for g in GROUPS])[user_group]
                + rng.normal(0, USER_STRESS_SD, n_users))
    shift = np.r_[[GENRE_STRESS_SHIFT[g] for g in GENRES], 0.0] * config["genre_stress_effect"]
    ordinary_user = np.r_[user[window_session], user[late], bg_user]
    ordinary_shift = np.r_[shift[genre[window_session]], np.zeros(len(late) + len(bg_user))]
    latent = baseline[ordinary_user] + ordinary_shift + rng.normal(0, TWEET_STRESS_SD, len(ordinary_user))
    stress = np.clip(np.rint(latent), -5, -1).astype(int)

    # Texts.
    share_track = np.r_[track, un_track[np.arange(n_uncatalogued) % max(1, len(un_track))]]
    shared = links.shared_links(rng, tracks["url"].to_numpy()[share_track].tolist(),
                                tracks["platform"].to_numpy()[share_track].tolist())
    template = rng.integers(0, len(SESSION_TEMPLATES), len(share_track))
    titles, artists = tracks["title"].to_numpy(), tracks["artist"].to_numpy()
    music_text = [SESSION_TEMPLATES[t].format(title=titles[i].lower(), artist=artists[i], link=link)
                  for t, i, link in zip(template, share_track, shared)]
    ordinary_text = words.ordinary_tweets(rng, stress)

    # Users.
    offset = rng.choice(UTC_OFFSETS, size=n_users, p=UTC_OFFSET_WEIGHTS / UTC_OFFSET_WEIGHTS.sum())
    listed = rng.random(n_users) >= config["local_offset_share"]
    user_id = np.sort(100_000_000 + rng.choice(900_000_000, size=n_users, replace=False))
    user_id = rng.permutation(user_id)
    users = pd.DataFrame({"user_id": user_id, "group": np.array(GROUPS)[user_group],
                          "utc_offset_minutes": pd.array(np.where(listed, offset, 0), dtype="Int64")})
    users.loc[~listed, "utc_offset_minutes"] = pd.NA

    # Tweets, ids increasing with time like Twitter's.
    tweet_user = np.r_[user, user[un_session], ordinary_user]
    tweet_local = np.r_[local, un_time, window_time, late_time, bg_time]
    n_music = len(user) + n_uncatalogued
    utc = tweet_local - offset[tweet_user] * 60
    order = np.lexsort((rng.random(len(utc)), utc))
    tweet_id = np.empty(len(utc), dtype=np.int64)
    tweet_id[order] = 1_100_000_000_000_000_000 + np.arange(len(utc), dtype=np.int64) * 4099
    tweets = pd.DataFrame({
        "tweet_id": tweet_id,
        "user_id": user_id[tweet_user],
        "created_at": _timestamps(tweet_local, offset[tweet_user], listed[tweet_user]),
        "text": music_text + ordinary_text,
    }).sort_values("tweet_id", kind="stable").reset_index(drop=True)
    truth = pd.DataFrame({"tweet_id": tweet_id[n_music:], "stress": stress}
                         ).sort_values("tweet_id", kind="stable").reset_index(drop=True)

    catalogue = tracks[tracks["genre"] != -2]
    catalogue = catalogue[["url", "title", "artist", "genres", "lyrics"]].sort_values("url", kind="stable")
    users = users.sort_values("user_id", kind="stable").reset_index(drop=True)
    return {"users": users, "tweets": tweets, "tracks": catalogue.reset_index(drop=True), "truth": truth}


def write_raw(frames: dict[str, pd.DataFrame], folder: str | Path) -> None:
    """Write the tables as plain CSV: users.csv, tweets.csv, tracks.csv, truth/tweet_stress.csv."""
    folder = Path(folder)
    (folder / "truth").mkdir(parents=True, exist_ok=True)
    for name in ("users", "tweets", "tracks"):
        frames[name].to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    frames["truth"].to_csv(folder / "truth" / "tweet_stress.csv", index=False, lineterminator="\n")
