"""The data's own tables, from the ingested sessions (data/interim/sessions.parquet): only
aggregate numbers, never an id, a text or a handle.

- users and sessions per user (mean, quartiles, 90th percentile, max; users with one session,
  who give no sample);
- sessions per genre;
- repeat rate: of the sessions that have an earlier session of the same user, the share whose
  genre is that of the user's previous session (overall and per genre of the session);
- history lengths: of those sessions, the share per number of earlier sessions of the user.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nextgenre.constants import GENRES

HISTORY_BINS = [(1, 1), (2, 4), (5, 9), (10, 19), (20, 49), (50, None)]


def _bin_name(lo: int, hi: int | None) -> str:
    return f"{lo}" if lo == hi else (f"{lo}+" if hi is None else f"{lo}-{hi}")


def data_tables(sessions: pd.DataFrame) -> dict:
    """The tables of the module docstring, as plain numbers."""
    s = sessions.sort_values(["user", "created_at"], kind="stable")
    per_user = s.groupby("user").size()
    earlier = s.groupby("user").cumcount().to_numpy()
    previous = s.groupby("user")["genre"].shift(1)
    has_previous = previous.notna().to_numpy()
    repeat = (s["genre"] == previous).to_numpy() & has_previous
    genre = s["genre"].to_numpy()
    history = {}
    for lo, hi in HISTORY_BINS:
        inside = has_previous & (earlier >= lo) & (earlier <= (hi if hi is not None else np.inf))
        history[_bin_name(lo, hi)] = float(inside.sum() / max(1, has_previous.sum()))
    return {
        "users": int(len(per_user)),
        "sessions": int(len(s)),
        "sessions_per_user": {
            "mean": float(per_user.mean()),
            "q25": float(per_user.quantile(0.25)),
            "median": float(per_user.median()),
            "q75": float(per_user.quantile(0.75)),
            "p90": float(per_user.quantile(0.9)),
            "max": int(per_user.max()),
            "users_with_one_session": int((per_user == 1).sum()),
        },
        "sessions_per_genre": {g: int((genre == g).sum()) for g in GENRES},
        "repeat_rate": float(repeat.sum() / max(1, has_previous.sum())),
        "repeat_rate_per_genre": {
            g: float(repeat[has_previous & (genre == g)].mean()) if (has_previous & (genre == g)).any() else None
            for g in GENRES
        },
        "sessions_with_history": int(has_previous.sum()),
        "history_length_share": history,
    }


def render_tables(t: dict) -> str:
    """The tables as Markdown."""
    spu = t["sessions_per_user"]
    lines = [
        "| users | sessions | sessions per user: mean | q25 | median | q75 | p90 | max | users with one session |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {t['users']:,} | {t['sessions']:,} | {spu['mean']:.1f} | {spu['q25']:g} | {spu['median']:g} | "
        f"{spu['q75']:g} | {spu['p90']:g} | {spu['max']:,} | {spu['users_with_one_session']:,} |",
        "",
        "| genre | sessions | share | repeat rate (same genre as the user's previous session) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for g in GENRES:
        n, rate = t["sessions_per_genre"][g], t["repeat_rate_per_genre"][g]
        lines.append(f"| {g} | {n:,} | {n / max(1, t['sessions']):.3f} | {'—' if rate is None else f'{rate:.3f}'} |")
    lines.append(f"| **all** | {t['sessions']:,} | 1.000 | {t['repeat_rate']:.3f} |")
    lines += [
        "",
        f"History lengths: of the {t['sessions_with_history']:,} sessions with at least one "
        "earlier session of the same user, the share per number of earlier sessions:",
        "",
        "| earlier sessions | " + " | ".join(t["history_length_share"]) + " |",
        "| --- |" + " ---: |" * len(t["history_length_share"]),
        "| share | " + " | ".join(f"{v:.3f}" for v in t["history_length_share"].values()) + " |",
    ]
    return "\n".join(lines) + "\n"
