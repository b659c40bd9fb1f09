"""The truth beside the synthetic data (data/truth/), never an input to any model.

Written by `synthesize` (ingest reads data.raw only, so no stage of the study sees these files):
- sessions.csv: every kept music session (the ones ingest keeps), users in turn, each user's in
  time order: tweet_id, user_id, created_at (UTC), group, position (0 = the user's first),
  genre, relabelled (the quota fix that hits the paper's counts changed its genre at random),
  mood (the planted mood flag after it), bucket (its first ordinary tweet within 30/60/90
  minutes: 0/1/2, else 3), theme (of its track's lyrics; empty: none), and p_<genre>: the true
  probability of each genre given everything the generator used (the user's taste, earlier
  genres, the mood after the previous session, the theme of the previous track), before the
  quota fix;
- users.csv: every user's hidden taste (taste_<genre>);
- generator.json: the generator's parameters that the from-history ceiling needs.

`ceiling_probabilities` gives the best prediction of each session's genre from what a model can
see (earlier genres; the stress after the previous session when the model uses stress and its
stress input shows the window, `visible`; the lyrics of earlier tracks when it uses text), from
the generator's true parameters, integrating out the hidden taste (importance sampling, seeded).
It sees the last `window` sessions before each one (the report passes the models'
features.history), or the whole history (`window=None`, a looser bound). Simplifications, all in
the ceiling's favour (so it is an upper bound): it knows the user's group (a model sees the
disorder flag only), the mood flag itself where the stress input shows the window (a model sees
the scored stress of the tweets) and the theme itself (a model sees an embedding of the lyrics);
and it ignores the quota fix. Without `visible` (no scored stress at hand), every
window with a tweet counts as shown: a looser bound, since a tweet scored as unstressed gives
the input of an empty window under features.missing_stress=zero.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nextgenre.constants import CLASS_SCHEMES, GENRES, GROUPS, class_names
from nextgenre.errors import NextgenreError
from nextgenre.pseudonym import pseudonymize
from nextgenre.synthetic.effects import MOOD_SHARE, TURN, Effects
from nextgenre.synthetic.sessions import PERIOD_START, PROBABILITY_COLUMNS, taste_prior

TASTE_COLUMNS = [f"taste_{g}" for g in GENRES]
PARTICLES = 400  # taste samples per user for the ceiling
FILES = ("sessions.csv", "users.csv", "generator.json")  # data/truth/


@dataclass
class Truth:
    sessions: pd.DataFrame
    users: pd.DataFrame
    generator: dict


def session_truth(
    sessions: pd.DataFrame,
    tweet_id: np.ndarray,
    user_id: np.ndarray,
    share_theme: np.ndarray,
    lyric_likelihood: np.ndarray | None,
) -> pd.DataFrame:
    """The truth about every kept session (see the module docstring); `tweet_id` and
    `share_theme` are per row of `sessions`, `user_id` per user."""
    kept = np.flatnonzero(sessions["genre"].to_numpy() >= 0)
    s = sessions.iloc[kept]
    user = s["user"].to_numpy()
    first = np.r_[True, user[1:] != user[:-1]]
    position = np.arange(len(s)) - np.maximum.accumulate(np.where(first, np.arange(len(s)), 0))
    genre = s["genre"].to_numpy()
    theme = share_theme[kept]
    probability = s[PROBABILITY_COLUMNS].to_numpy(dtype=float)
    if lyric_likelihood is not None:  # the previous track's theme says something about this genre
        later = np.flatnonzero(~first)
        probability[later] *= lyric_likelihood[genre[later - 1], :, theme[later - 1] + 1]
        probability /= probability.sum(axis=1, keepdims=True)
    created = np.datetime_as_string(PERIOD_START + s["utc"].to_numpy().astype("timedelta64[s]"), unit="s")
    table = pd.DataFrame(
        {
            "tweet_id": tweet_id[kept],
            "user_id": user_id[user],
            "created_at": np.char.add(created.astype(str), "+00:00"),
            "group": np.array(GROUPS)[s["group"].to_numpy()],
            "position": position,
            "genre": np.array(GENRES)[genre],
            "relabelled": s["relabelled"].to_numpy(),
            "mood": s["mood"].to_numpy(),
            "bucket": s["bucket"].to_numpy(),
            "theme": np.array(("",) + GENRES)[theme + 1],
        }
    )
    table[PROBABILITY_COLUMNS] = probability
    return table


def user_truth(user_id: np.ndarray, user_group: np.ndarray, taste: np.ndarray) -> pd.DataFrame:
    table = pd.DataFrame({"user_id": user_id, "group": np.array(GROUPS)[user_group]})
    table[TASTE_COLUMNS] = taste
    return table


def generator_parameters(config: dict, effects: Effects, the_plan, lyric_likelihood) -> dict:
    return {
        "stickiness": config["stickiness"],
        "mood_effect": effects.mood,
        "mood_share": MOOD_SHARE if effects.mood > 0 else 0.0,
        "memory_effect": effects.memory,
        "lyrics_effect": effects.lyrics,
        "taste_prior": {
            g: taste_prior(the_plan.sessions[i], config["taste_concentration"]).tolist() for i, g in enumerate(GROUPS)
        },
        "lyric_likelihood": None if lyric_likelihood is None else lyric_likelihood.tolist(),
    }


def write_truth(frames: dict, folder: str | Path) -> None:
    """data/truth/: sessions.csv, users.csv, generator.json."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames["session_truth"].to_csv(folder / "sessions.csv", index=False, lineterminator="\n")
    frames["user_truth"].to_csv(folder / "users.csv", index=False, lineterminator="\n")
    (folder / "generator.json").write_text(json.dumps(frames["generator"], indent=1) + "\n")


def read_truth(folder: str | Path) -> Truth:
    folder = Path(folder)
    read = dict(keep_default_na=False)
    return Truth(
        pd.read_csv(folder / "sessions.csv", **read),
        pd.read_csv(folder / "users.csv", **read),
        json.loads((folder / "generator.json").read_text()),
    )


# ---------------------------------------------------------------- the from-history ceiling


def _user_ceiling(g, mood, theme, alpha, params, rng) -> np.ndarray:
    """From-history probabilities (T x genres) of one user's sessions: `mood` is the mood flag
    after each session as a model can know it (the flag, or its prior share when unseen),
    `theme` the theme index + 1 of each track as a model can know it (0: unseen or none)."""
    k, n = len(GENRES), len(g)
    s, mu, m = params["stickiness"], params["memory_effect"], params["mood_effect"]
    lyrics = None if params["lyric_likelihood"] is None else np.asarray(params["lyric_likelihood"])
    proposal = alpha + 0.5 * np.bincount(g, minlength=k)
    theta = np.maximum(rng.dirichlet(proposal, size=PARTICLES), 1e-12)
    theta /= theta.sum(axis=1, keepdims=True)
    log_theta = np.log(theta)
    log_w = ((alpha - proposal) * log_theta).sum(axis=1)  # particle weights: prior / proposal
    eye = np.eye(k)
    out = np.empty((n, k))
    for i in range(n):
        if i == 0:
            p = theta
        else:
            chain = s * eye[g[i - 1]] + (1 - s) * theta
            w_memory = mu if i >= 2 else 0.0
            base = (1 - w_memory) * chain + (w_memory * eye[g[i - 2]] if i >= 2 else 0.0)
            w_mood = m * mood[i - 1]
            p = (1 - w_mood) * base + w_mood * eye[TURN[g[i - 1]]]
        w = np.exp(log_w - log_w.max())
        predicted = w @ p
        if lyrics is not None and i > 0 and theme[i - 1] > 0:
            predicted = predicted * lyrics[g[i - 1], :, theme[i - 1]]
        out[i] = predicted / predicted.sum()
        log_w = log_w + np.log(np.maximum(p[:, g[i]], 1e-300))
    return out


def theme_codes(sessions: pd.DataFrame) -> np.ndarray:
    """The theme of each session's track as a code: 0 for none, else 1 + its index in GENRES."""
    return sessions["theme"].map({g: i + 1 for i, g in enumerate(GENRES)}).fillna(0).to_numpy(dtype=int)


def ceiling_probabilities(
    truth: Truth,
    users=None,
    interval: int = 30,
    stress: bool = True,
    text: bool = True,
    seed: int = 0,
    visible: np.ndarray | None = None,
    window: int | None = None,
) -> pd.DataFrame:
    """From-history probability of each genre (p_<genre>) for every session of `users` (all by
    default), indexed like truth.sessions. `stress`/`interval`: whether and through which window
    the model sees the stress after a session; `visible` (one flag per row of truth.sessions):
    whether the model's stress input shows that window (default: a tweet falls in it); `text`:
    whether it sees the lyrics; `window`: None, the user's whole history, or a number, only the
    last `window` sessions before each one (a model's features.history). The window's first
    session then counts with the taste alone (the chain's long-run share, which the taste is),
    since the session before it is out of sight; a user's last session with its whole history in
    the window gets the same probabilities as without one."""
    params = truth.generator
    table = truth.sessions
    pick = np.ones(len(table), dtype=bool) if users is None else table["user_id"].isin(set(users)).to_numpy()
    shown = table["bucket"].to_numpy() < interval // 30 if visible is None else np.asarray(visible, dtype=bool)
    seen = stress & shown
    # An unseen mood flag counts with its share among the sessions that look alike to a model.
    unseen_share = table["mood"].to_numpy(dtype=float)[~seen].mean() if (~seen).any() else 0.0
    sessions = table[pick]
    genre = sessions["genre"].map({g: i for i, g in enumerate(GENRES)}).to_numpy()
    mood = np.where(seen[pick], sessions["mood"].to_numpy(dtype=float), unseen_share)
    theme = theme_codes(sessions)
    if not text:
        theme = np.zeros_like(theme)
    user = sessions["user_id"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, user[1:] != user[:-1], True])
    out = np.empty((len(sessions), len(GENRES)))
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        alpha = np.asarray(params["taste_prior"][sessions["group"].iat[lo]])
        user_seed = [seed, int(sessions.index[lo])]  # the same for any `users`
        if window is None:
            out[lo:hi] = _user_ceiling(
                genre[lo:hi], mood[lo:hi], theme[lo:hi], alpha, params, np.random.default_rng(user_seed)
            )
            continue
        for i in range(lo, hi):
            seen_from = max(lo, i - window)
            steps = slice(seen_from, i + 1)
            rng = np.random.default_rng(user_seed)
            out[i] = _user_ceiling(genre[steps], mood[steps], theme[steps], alpha, params, rng)[-1]
    return pd.DataFrame(out, index=sessions.index, columns=PROBABILITY_COLUMNS)


# ---------------------------------------------------------------- accuracies on given samples


def _class_probabilities(p6: np.ndarray, classes: int) -> np.ndarray:
    """Genre probabilities summed into a class scheme's classes (renormalised when the scheme
    drops a genre's samples)."""
    names = class_names(classes)
    scheme = CLASS_SCHEMES[classes]
    out = np.stack([p6[:, [i for i, g in enumerate(GENRES) if scheme[g] == c]].sum(axis=1) for c in names], axis=1)
    return out / np.maximum(out.sum(axis=1, keepdims=True), 1e-300)


def truth_rows(truth: Truth, sessions: pd.DataFrame, targets: np.ndarray, key: bytes) -> np.ndarray:
    """Rows of truth.sessions of the interim sessions (data/interim/sessions.parquet) at
    `targets`, matched by pseudonymised user and time."""
    ours = pd.DataFrame(
        {
            "user": pseudonymize(truth.sessions["user_id"].astype(str), key).to_numpy(),
            "time": pd.to_datetime(truth.sessions["created_at"], utc=True),
            "row": np.arange(len(truth.sessions)),
        }
    )
    theirs = pd.DataFrame(
        {
            "user": sessions["user"].to_numpy()[targets],
            "time": pd.to_datetime(sessions["created_at"].to_numpy()[targets], utc=True),
        }
    )
    matched = theirs.merge(ours, on=["user", "time"], how="left")
    if matched["row"].isna().any():
        first = int(np.flatnonzero(matched["row"].isna().to_numpy())[0])
        raise NextgenreError(
            f"data/truth/sessions.csv: no row for target session {int(targets[first])} "
            f"of data/interim/sessions.parquet (truth from another run?)"
        )
    return matched["row"].to_numpy(dtype=np.int64)


def known_correct(
    truth: Truth,
    rows: np.ndarray,
    classes: int = 6,
    interval: int = 30,
    stress: bool = True,
    text: bool = True,
    seed: int = 0,
    visible: np.ndarray | None = None,
    window: int | None = None,
) -> dict:
    """Per target session at truth rows `rows` (each with an earlier session of its user; those
    whose genre maps to no class in the scheme are left out): `rows` kept, `label` (class
    index), and whether each of the oracle (argmax of the true probabilities), the from-history
    ceiling (`visible`, `window`: see `ceiling_probabilities`) and repeating the previous
    session's genre is right."""
    table = truth.sessions
    scheme = CLASS_SCHEMES[classes]
    rows = np.asarray(rows, dtype=np.int64)
    rows = rows[table["genre"].iloc[rows].map(scheme).notna().to_numpy()]
    if (table["position"].to_numpy()[rows] == 0).any():
        raise NextgenreError("data/truth/sessions.csv: a target is its user's first session")
    names = class_names(classes)
    label = table["genre"].iloc[rows].map(scheme).map({c: i for i, c in enumerate(names)}).to_numpy()
    previous = table["genre"].iloc[rows - 1].map(scheme).map({c: i for i, c in enumerate(names)}).to_numpy()
    users = table["user_id"].iloc[rows].unique()
    ceiling = ceiling_probabilities(truth, users, interval, stress, text, seed, visible, window)
    oracle = _class_probabilities(table[PROBABILITY_COLUMNS].to_numpy()[rows], classes)
    history = _class_probabilities(ceiling.loc[table.index[rows]].to_numpy(), classes)
    return {
        "rows": rows,
        "label": label,
        "oracle": oracle.argmax(axis=1) == label,
        "ceiling": history.argmax(axis=1) == label,
        "repeat_last": previous == label,
    }


def known_answers(truth: Truth, rows: np.ndarray, **settings) -> dict:
    """Accuracy of the oracle, the from-history ceiling and repeat-last on the target sessions at
    truth rows `rows` (settings: those of `known_correct`)."""
    correct = known_correct(truth, rows, **settings)
    return {
        "n": int(len(correct["rows"])),
        **{name: float(correct[name].mean()) for name in ("oracle", "ceiling", "repeat_last")},
    }
