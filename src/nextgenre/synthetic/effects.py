"""Planted effects: known answers that the study must recover. Each is a strength in
params.yaml `synthetic:` (0 = absent: the data are then byte for byte those without it). Their
random draws come from a stream of their own (`Effects.rng`), so that at strength 0 they leave the
generator's main stream untouched. (At other strengths, what follows a changed genre is drawn
anew; the lyrics effect changes only which tracks are shared and their lyrics.)

- mood -> music (`mood_effect` = m): after a session, with probability MOOD_SHARE the user is in
  a stressed mood: they tweet soon (such sessions take the group's and genre's quota of "first
  tweet within 30 minutes" before the others), their ordinary tweets within 90 minutes are
  MOOD_STRESS_SHIFT stress units more stressed, and with probability m their next session turns
  to the partner of the genre they just shared (MOOD_TURN), else follows the usual chain. The
  rule is the same for every user, so a model can learn it from all of them; it sees the mood
  through the stress of the tweets after the previous session (features.stress=true), at any
  data.interval.
- longer memory (`memory_effect` = mu): from a user's third session on, with probability mu the
  session takes the genre of the session two back, else follows the usual chain. A first-order
  chain (repeat-last, Markov) cannot use it; a recurrent model over the history can.
- lyrics (`lyrics_effect` = l): every catalogued track with lyrics gets a theme (one per genre,
  drawn at random, whatever the track's own genre) whose words are added to its lyrics as one
  line; with probability l a session's track is picked among its genre's tracks whose theme is
  the genre of the user's next session (when the genre has such a track). So the lyrics of what
  a user shared carry information about their next genre that the genre one-hot does not
  (features' text part on vs off).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nextgenre.constants import GENRES
from nextgenre.synthetic.catalogue import popularity

EFFECTS_STREAM = 12  # the effects' random stream: default_rng([seed, EFFECTS_STREAM])
MOOD_SHARE = 0.15  # sessions after which the user is in a stressed mood
MOOD_STRESS_SHIFT = 1.5  # how much more stressed (stress units) the tweets after it are
THEME_LINE_WORDS = 6  # theme words added to a themed track's lyrics

# The genre a stressed mood turns to after each genre: pairs of genres close in the paper's counts
# (Table I), so that the turned sessions move each group's genre counts little and the quota fix
# that restores them relabels few sessions.
MOOD_TURN = {
    "jazz": "electronic",
    "electronic": "jazz",
    "hiphop": "pop",
    "pop": "hiphop",
    "rock": "others",
    "others": "rock",
}
TURN = np.array([GENRES.index(MOOD_TURN[g]) for g in GENRES])

# Lyric themes, named by the genre they point to; no word is in a genre's lyric pool.
THEME_WORDS = {
    "jazz": ["memory", "letter", "photograph", "autumn", "yesterday", "faded", "album", "postcard"],
    "electronic": ["future", "robot", "space", "galaxy", "planet", "rocket", "satellite", "android"],
    "hiphop": ["crown", "throne", "king", "gold", "diamond", "empire", "victory", "trophy"],
    "pop": ["flower", "rainbow", "honey", "peach", "cherry", "lemon", "strawberry", "daisy"],
    "rock": ["shadow", "ghost", "grave", "skull", "darkness", "raven", "thorn", "bone"],
    "others": ["horse", "cattle", "barn", "fence", "tractor", "meadow", "wheat", "creek"],
}


@dataclass(frozen=True)
class Effects:
    mood: float = 0.0
    memory: float = 0.0
    lyrics: float = 0.0
    rng: np.random.Generator | None = None

    @classmethod
    def from_config(cls, config: dict, seed: int) -> Effects:
        return cls(
            config["mood_effect"],
            config["memory_effect"],
            config["lyrics_effect"],
            np.random.default_rng([seed, EFFECTS_STREAM]),
        )

    @property
    def chain_active(self) -> bool:
        return self.mood > 0 or self.memory > 0


def skip_retired_draw(effects: Effects, n_users: int) -> None:
    """Until the mood effect became a turn of genre (MOOD_TURN), it drew a comfort genre per
    user here, at every strength. The draw stays, unused, so that the memory and lyrics data of
    every seed stay byte for byte those that reports/power.md was run on."""
    effects.rng.random(n_users)


def planted_chain(effects: Effects, counts, taste, fresh, repeat, stickiness: float) -> dict:
    """The genre chain with mood and memory, users one after the other, sessions in time order.

    `fresh` (the taste draw) and `repeat` (stickiness) are the usual chain's draws; a session's
    genre is, in order of precedence: the turn of the previous genre (mood), the genre two back
    (memory), the previous genre (repeat), the fresh draw. `probability` is the chain's exact
    probability of each genre given the user's taste, earlier genres and mood flags."""
    rng, k = effects.rng, taste.shape[1]
    n_users, n = len(counts), int(counts.sum())
    user = np.repeat(np.arange(n_users), counts)
    skip_retired_draw(effects, n_users)
    mood = (rng.random(n) < MOOD_SHARE).astype(np.int8) if effects.mood > 0 else np.zeros(n, np.int8)
    u_mood, u_memory = rng.random(n), rng.random(n)
    starts = np.cumsum(counts) - counts
    eye = np.eye(k)
    genre = np.empty(n, dtype=np.int64)
    probability = np.empty((n, k))
    for j in range(int(counts.max())):
        rows = starts[counts > j] + j
        who = user[rows]
        if j == 0:
            genre[rows], probability[rows] = fresh[rows], taste[who]
            continue
        previous = genre[rows - 1]
        before = genre[rows - 2] if j >= 2 else previous
        w_mood = effects.mood * mood[rows - 1]
        w_memory = effects.memory if j >= 2 else 0.0
        chain = stickiness * eye[previous] + (1 - stickiness) * taste[who]
        turned = TURN[previous]
        probability[rows] = (1 - w_mood)[:, None] * ((1 - w_memory) * chain + w_memory * eye[before]) + w_mood[
            :, None
        ] * eye[turned]
        g = np.where(repeat[rows], previous, fresh[rows])
        g = np.where(u_memory[rows] < w_memory, before, g)
        genre[rows] = np.where(u_mood[rows] < w_mood, turned, g)
    return {"genre": genre, "probability": probability, "mood": mood}


def mood_stress_shift(mood: np.ndarray) -> np.ndarray:
    """Latent stress added to the ordinary tweets after sessions with these mood flags."""
    return -MOOD_STRESS_SHIFT * mood.astype(float)


def add_themes(effects: Effects, tracks: pd.DataFrame) -> np.ndarray:
    """Give every catalogued track with lyrics a theme (index into GENRES; -1: none) and add a
    line of its theme's words to its lyrics (in place). Returns the themes."""
    rng = effects.rng
    lyrical = np.flatnonzero((tracks["genre"].to_numpy() >= 0) & (tracks["lyrics"].to_numpy() != ""))
    theme = np.full(len(tracks), -1, dtype=np.int64)
    theme[lyrical] = rng.integers(0, len(GENRES), len(lyrical))
    words = rng.integers(0, len(THEME_WORDS["jazz"]), (len(lyrical), THEME_LINE_WORDS))
    lyrics = tracks["lyrics"].to_numpy(dtype=object).copy()
    for row, picks in zip(lyrical, words):
        pool = THEME_WORDS[GENRES[theme[row]]]
        lyrics[row] = lyrics[row] + "\n" + " ".join(pool[i] for i in picks)
    tracks["lyrics"] = lyrics
    return theme


def theme_likelihood(effects: Effects, tracks: pd.DataFrame, theme: np.ndarray) -> np.ndarray:
    """L[a, h, y + 1]: probability that a session of genre a whose user's next session has genre
    h shares a track of theme y (y = -1: no theme), under `lyric_picks`."""
    k = len(GENRES)
    table = np.zeros((k, k, k + 1))
    for a in range(k):
        rows, weight = popularity(tracks, a)
        share = np.bincount(theme[rows] + 1, weights=weight, minlength=k + 1) / weight.sum()
        for h in range(k):
            available = effects.lyrics * float(share[h + 1] > 0)
            table[a, h] = (1 - available) * share
            table[a, h, h + 1] += available
    return table


def lyric_picks(
    effects: Effects, tracks: pd.DataFrame, theme: np.ndarray, sessions: pd.DataFrame, track: np.ndarray
) -> np.ndarray:
    """The track of every share, with the lyrics effect: with probability `lyrics`, a kept
    session that has a next kept session of the same user gets a track of its own genre whose
    theme is that next session's genre (Zipf popularity among those), when there is one."""
    rng = effects.rng
    genre, user = sessions["genre"].to_numpy(), sessions["user"].to_numpy()
    kept = np.flatnonzero(genre >= 0)
    has_next = user[kept[1:]] == user[kept[:-1]]
    rows, following = kept[:-1][has_next], genre[kept[1:]][has_next]
    chosen = rng.random(len(rows)) < effects.lyrics
    rows, following = rows[chosen], following[chosen]
    track = track.copy()
    for a in range(len(GENRES)):
        candidates, weight = popularity(tracks, a)
        for h in range(len(GENRES)):
            mine = rows[(genre[rows] == a) & (following == h)]
            pool = theme[candidates] == h
            if len(mine) and pool.any():
                p = weight[pool] / weight[pool].sum()
                track[mine] = candidates[pool][rng.choice(pool.sum(), size=len(mine), p=p)]
    return track
