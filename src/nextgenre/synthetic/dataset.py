"""The synthetic stand-in assembled: users, tweets and tracks in the raw schema, the latent stress
of every ordinary tweet, and the truth about every session (nextgenre.synthetic.truth)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from nextgenre.constants import GROUPS
from nextgenre.synthetic import calibration, links
from nextgenre.synthetic import effects as planted
from nextgenre.synthetic import text as words
from nextgenre.synthetic import truth as known
from nextgenre.synthetic import tweets as tw
from nextgenre.synthetic.catalogue import build_catalogue, pick_tracks
from nextgenre.synthetic.plan import plan
from nextgenre.synthetic.sessions import build_sessions, session_times
from nextgenre.taxonomy import load_mapping


def generate(config: dict, seed: int, tables: dict, taxonomy: dict | None = None) -> dict:
    """The raw-schema tables (`users`, `tweets`, `tracks`), the latent stress (`truth`) and the
    truth about sessions and users (`session_truth`, `user_truth`, `generator`). `config`: the
    study's knobs (params.yaml `synthetic:`) over the calibrated constants (calibration.yaml),
    which it may override."""
    config = {**calibration.constants(), **config}
    taxonomy = taxonomy or load_mapping()
    rng = np.random.default_rng(seed)
    effects = planted.Effects.from_config(config, seed)
    the_plan = plan(tables, config["scale"])
    sessions, taste = build_sessions(rng, the_plan, config, effects)
    n_users = int(the_plan.users.sum())
    user_group = np.repeat(np.arange(len(GROUPS)), the_plan.users)
    sessions["local"] = session_times(rng, sessions, config["time_of_day_shift"])

    # Catalogue and the track of every share.
    genre = sessions["genre"].to_numpy()
    n_uncatalogued = int(round(len(sessions) * config["uncatalogued_share"]))
    tracks = build_catalogue(
        rng, the_plan.sessions.sum(axis=0), int((genre < 0).sum()), n_uncatalogued, config, taxonomy
    )
    track = pick_tracks(rng, tracks, genre)
    theme = np.full(len(tracks), -1)
    if effects.lyrics > 0:
        theme = planted.add_themes(effects, tracks)
        track = planted.lyric_picks(effects, tracks, theme, sessions, track)

    user = sessions["user"].to_numpy()
    local = sessions["local"].to_numpy()
    counts = np.bincount(user, minlength=n_users)
    last = np.r_[user[1:] != user[:-1], True]
    gap = np.where(last, tw.BACKGROUND_AFTER_LAST_S, np.r_[local[1:] - local[:-1], 0])

    window_session, window_time, late, late_time = tw.after_session_tweets(
        rng, sessions["bucket"].to_numpy(), local, config["window_extra_tweets"]
    )
    bg_user, bg_time = tw.background_tweets(rng, counts, local, gap, config["background_tweets"])

    # Shares of music that is not in the catalogue: neither sessions nor ordinary tweets.
    un_session = rng.choice(len(sessions), size=n_uncatalogued)
    un_time = local[un_session] + tw.uniform(rng, np.full(n_uncatalogued, tw.MARGIN_S), gap[un_session] - tw.MARGIN_S)
    un_track = np.flatnonzero(tracks["genre"].to_numpy() == -2)

    baseline = tw.user_baselines(rng, user_group, config["group_stress_gap"])
    shift = tw.genre_stress_shifts(config["genre_stress_effect"])
    ordinary_user = np.r_[user[window_session], user[late], bg_user]
    ordinary_shift = np.r_[shift[genre[window_session]], np.zeros(len(late) + len(bg_user))]
    if effects.mood > 0:
        mood = sessions["mood"].to_numpy()[window_session]
        ordinary_shift[: len(window_session)] += planted.mood_stress_shift(mood)
    stress = tw.latent_stress(rng, baseline[ordinary_user], ordinary_shift)

    # Texts.
    share_track = np.r_[track, un_track[np.arange(n_uncatalogued) % max(1, len(un_track))]]
    shared = links.shared_links(
        rng, tracks["url"].to_numpy()[share_track].tolist(), tracks["platform"].to_numpy()[share_track].tolist()
    )
    music_text = tw.music_texts(rng, tracks["title"].to_numpy(), tracks["artist"].to_numpy(), share_track, shared)
    ordinary_text = words.ordinary_tweets(rng, stress)

    # Users.
    offset = rng.choice(tw.UTC_OFFSETS, size=n_users, p=tw.UTC_OFFSET_WEIGHTS / tw.UTC_OFFSET_WEIGHTS.sum())
    listed = rng.random(n_users) >= config["local_offset_share"]
    user_id = np.sort(100_000_000 + rng.choice(900_000_000, size=n_users, replace=False))
    user_id = rng.permutation(user_id)
    users = pd.DataFrame(
        {
            "user_id": user_id,
            "group": np.array(GROUPS)[user_group],
            "utc_offset_minutes": pd.array(np.where(listed, offset, 0), dtype="Int64"),
        }
    )
    users.loc[~listed, "utc_offset_minutes"] = pd.NA

    # Tweets, ids increasing with time like Twitter's.
    tweet_user = np.r_[user, user[un_session], ordinary_user]
    tweet_local = np.r_[local, un_time, window_time, late_time, bg_time]
    n_music = len(user) + n_uncatalogued
    utc = tweet_local - offset[tweet_user] * 60
    order = np.lexsort((rng.random(len(utc)), utc))
    tweet_id = np.empty(len(utc), dtype=np.int64)
    tweet_id[order] = 1_100_000_000_000_000_000 + np.arange(len(utc), dtype=np.int64) * 4099
    tweets = (
        pd.DataFrame(
            {
                "tweet_id": tweet_id,
                "user_id": user_id[tweet_user],
                "created_at": tw.timestamps(tweet_local, offset[tweet_user], listed[tweet_user]),
                "text": music_text + ordinary_text,
            }
        )
        .sort_values("tweet_id", kind="stable")
        .reset_index(drop=True)
    )
    truth = (
        pd.DataFrame({"tweet_id": tweet_id[n_music:], "stress": stress})
        .sort_values("tweet_id", kind="stable")
        .reset_index(drop=True)
    )

    catalogue = tracks[tracks["genre"] != -2]
    catalogue = catalogue[["url", "title", "artist", "genres", "lyrics"]].sort_values("url", kind="stable")
    users = users.sort_values("user_id", kind="stable").reset_index(drop=True)

    sessions["utc"] = utc[: len(user)]
    lyric_likelihood = planted.theme_likelihood(effects, tracks, theme) if effects.lyrics > 0 else None
    session_truth = known.session_truth(sessions, tweet_id[: len(user)], user_id, theme[track], lyric_likelihood)
    user_truth = known.user_truth(user_id, user_group, taste)
    generator = known.generator_parameters(config, effects, the_plan, lyric_likelihood)
    return {
        "users": users,
        "tweets": tweets,
        "tracks": catalogue.reset_index(drop=True),
        "truth": truth,
        "session_truth": session_truth,
        "user_truth": user_truth,
        "generator": generator,
    }


def write_raw(frames: dict, folder: str | Path) -> None:
    """Write the tables as plain CSV: users.csv, tweets.csv, tracks.csv, truth/tweet_stress.csv."""
    folder = Path(folder)
    (folder / "truth").mkdir(parents=True, exist_ok=True)
    for name in ("users", "tweets", "tracks"):
        frames[name].to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    frames["truth"].to_csv(folder / "truth" / "tweet_stress.csv", index=False, lineterminator="\n")
