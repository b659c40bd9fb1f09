"""The synthetic stand-in data: schema, determinism, scale, structure, and calibration.

Calibration is checked by counting the written CSV files here, independently of the library
(and of ingest, which owns the real implementation), with the definitions ingest uses:
links normalised, tags resolved through taxonomy.yaml, ambiguous tracks dropped, ordinary
tweets = no music link, stress window (t, t + I]. At scale 1.0 the generation and counting
take some 20-40 s on a loaded 2-core machine.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np
import pandas as pd
import pytest

from nextgenre.constants import GENRES, GROUPS, INTERVALS, NAMED_GENRES, time_of_day
from nextgenre.outputs import atomic_dir
from nextgenre.paper import load_tables
from nextgenre.params import load_params
from nextgenre.synthetic import derived_ptsd_users, generate, plan, write_raw
from nextgenre.synthetic.calibration import compare, format_rows, total_variation
from nextgenre.taxonomy import load_mapping
from tests.conftest import ROOT

# Its module-scoped fixtures are built once: all its tests run in one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("test_synthetic")

TABLES = load_tables(ROOT / "paper" / "tables.yaml")
TAXONOMY = load_mapping()
CONFIG = load_params(ROOT / "params.yaml")["synthetic"]
SEED = 42

# ------------------------------------------------------------ independent counting (tests only)

LINK = re.compile(r"https?://\S+|spotify:track:[A-Za-z0-9]+", re.IGNORECASE)
MUSIC_HOSTS = ("spotify.com", "apple.com", "soundcloud.com", "youtube.com", "deezer.com")
TRACK_PARAMS = {"i", "v"}


def normalise(link: str) -> str:
    if link.lower().startswith("spotify:track:"):
        return "open.spotify.com/track/" + link.split(":", 2)[2]
    parts = urlsplit(link)
    host = parts.hostname or ""
    for prefix in ("www.", "m."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    path = parts.path.rstrip("/")
    if host == "open.spotify.com":
        path = re.sub(r"^/intl-[a-z]{2}(?=/)", "", path)
    kept = sorted((k, v) for k, v in parse_qsl(parts.query) if k in TRACK_PARAMS)
    return host + path + ("?" + urlencode(kept) if kept else "")


def _tag(tag: str) -> str:
    return " ".join(tag.lower().replace("-", " ").replace("_", " ").split())


PARENT = {_tag(t): parent for parent, tags in TAXONOMY.items() for t in tags}


def resolve(tags: str) -> str | None:
    """The track's parent genre, or None when ambiguous."""
    parents = {PARENT.get(_tag(t), "others") for t in tags.split(";") if t.strip()}
    named = parents & set(NAMED_GENRES)
    if len(named) >= 2:
        return None
    return named.pop() if named else "others"


def read_raw(folder: Path) -> dict[str, pd.DataFrame]:
    read = dict(keep_default_na=False, na_values={"utc_offset_minutes": [""]})
    return {name: pd.read_csv(folder / f"{name}.csv", **read) for name in ("users", "tweets", "tracks")}


def count(folder: Path) -> dict:
    """The data/ingest.json numbers, counted from the CSV files."""
    raw = read_raw(folder)
    tracks, tweets, users = raw["tracks"], raw["tweets"], raw["users"]
    genre_of = {normalise(u): resolve(g) for u, g in zip(tracks["url"], tracks["genres"])}
    found = tweets["text"].str.extract(f"({LINK.pattern})", flags=re.IGNORECASE)[0]
    is_music = found.notna()
    key = found.map(lambda s: normalise(s) if isinstance(s, str) else None)
    in_catalogue = key.map(lambda k: isinstance(k, str) and k in genre_of)
    genre = key.map(lambda k: genre_of.get(k) if isinstance(k, str) else None)
    dropped = int((in_catalogue & genre.isna()).sum())
    sessions = tweets[in_catalogue & genre.notna()].assign(genre=genre)
    ordinary = tweets[~is_music]

    group_of = dict(zip(users["user_id"], users["group"]))
    codes = {u: i for i, u in enumerate(users["user_id"])}

    def keys(frame):
        t = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
        seconds = (t - pd.Timestamp("2019-01-01", tz="UTC")).dt.total_seconds().to_numpy().astype(np.int64)
        return frame["user_id"].map(codes).to_numpy().astype(np.int64) * 10**10 + seconds

    ord_keys = np.sort(keys(ordinary))
    ses_keys = keys(sessions)
    nxt = np.searchsorted(ord_keys, ses_keys, side="right")
    nxt_key = np.where(nxt < len(ord_keys), ord_keys[np.minimum(nxt, len(ord_keys) - 1)], -1)
    same_user = nxt_key // 10**10 == ses_keys // 10**10
    delay = np.where(same_user & (nxt < len(ord_keys)), nxt_key - ses_keys, np.inf)
    sessions = sessions.assign(group=sessions["user_id"].map(group_of), delay=delay)

    with_stress, by_group = {}, {}
    for interval in INTERVALS:
        inside = sessions[sessions["delay"] <= interval * 60]
        with_stress[str(interval)] = len(inside)
        table = inside.groupby(["group", "genre"]).size()
        by_group[str(interval)] = {
            g: {k: int(n) for k, n in table[g].items()} for g in table.index.get_level_values(0).unique()
        }
    return {
        "users_per_group": users["group"].value_counts().to_dict(),
        "sessions": len(sessions),
        "sessions_with_stress": with_stress,
        "genre_by_group": by_group,
        "class_counts": {"6": sessions["genre"].value_counts().to_dict()},
        "dropped": {"ambiguous_genre": dropped},
        "_sessions": sessions,
        "_ordinary": ordinary,
    }


# ------------------------------------------------------------ fixtures


def _write(tmp: Path, scale: float, seed: int = SEED, **changes) -> Path:
    config = {**CONFIG, "scale": scale, **changes}
    folder = tmp / f"raw-{scale}-{seed}"
    with atomic_dir(folder) as out:
        write_raw(generate(config, seed, TABLES), out)
    return folder


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("small"), 0.05)


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("full"), 1.0)


@pytest.fixture(scope="module")
def full_counts(full) -> dict:
    return count(full)


# ------------------------------------------------------------ tests


def test_files_and_columns(small):
    raw = read_raw(small)
    assert list(raw["users"].columns) == ["user_id", "group", "utc_offset_minutes"]
    assert list(raw["tweets"].columns) == ["tweet_id", "user_id", "created_at", "text"]
    assert list(raw["tracks"].columns) == ["url", "title", "artist", "genres", "lyrics"]
    truth = pd.read_csv(small / "truth" / "tweet_stress.csv")
    assert list(truth.columns) == ["tweet_id", "stress"]
    assert set(raw["users"]["group"]) == set(GROUPS)
    assert raw["users"]["user_id"].is_unique and raw["tweets"]["tweet_id"].is_unique
    assert raw["tracks"]["url"].is_unique
    assert set(raw["tweets"]["user_id"]) <= set(raw["users"]["user_id"])
    stamps = raw["tweets"]["created_at"]
    assert stamps.str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d").all()
    assert truth["stress"].between(-5, -1).all()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a, b = _write(tmp_path / "a", 0.02), _write(tmp_path / "b", 0.02)
    c = _write(tmp_path / "c", 0.02, seed=7)
    for name in ("users.csv", "tweets.csv", "tracks.csv", "truth/tweet_stress.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "tweets.csv").read_bytes() != (c / "tweets.csv").read_bytes()


def test_plan_scales_with_scale():
    full, half = plan(TABLES, 1.0), plan(TABLES, 0.5)
    assert full.sessions.sum() == 75063
    assert list(full.sessions.sum(axis=0)) == [TABLES["class_counts_6"][g] for g in GENRES]
    assert abs(half.sessions.sum() - 75063 / 2) <= 3
    assert abs(half.users.sum() - full.users.sum() / 2) <= 4
    assert full.users[GROUPS.index("ptsd")] == round(derived_ptsd_users(TABLES)) == 790
    assert full.within[:, GROUPS.index("panic")].sum() == 0
    tiny = plan(TABLES, 0.001)
    assert (tiny.users >= 1).all() and (tiny.sessions.sum(axis=1) >= 2 * tiny.users).all()


def test_ordinary_tweets_truth_matches_and_words_carry_stress(small):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    counted = count(small)
    truth = pd.read_csv(small / "truth" / "tweet_stress.csv")
    ordinary = counted["_ordinary"]
    assert set(truth["tweet_id"]) == set(ordinary["tweet_id"])
    sample = ordinary.merge(truth, on="tweet_id").sample(1500, random_state=0)
    analyzer = SentimentIntensityAnalyzer()
    compound = sample["text"].map(lambda t: analyzer.polarity_scores(t)["compound"])
    assert compound.corr(sample["stress"], method="spearman") > 0.7
    by_level = compound.groupby(sample["stress"]).mean()
    assert by_level.is_monotonic_increasing  # -5 most negative ... -1 most positive


def test_stress_depends_on_group_and_genre(full, full_counts):
    truth = pd.read_csv(full / "truth" / "tweet_stress.csv")
    users = read_raw(full)["users"]
    ordinary = full_counts["_ordinary"].merge(truth, on="tweet_id")
    ordinary["group"] = ordinary["user_id"].map(dict(zip(users["user_id"], users["group"])))
    mean = ordinary.groupby("group")["stress"].mean()
    assert all(mean[g] < mean["control"] - 0.3 for g in GROUPS if g != "control")
    # Tweets within 30 min after rock sessions are more stressed than after jazz sessions.
    ses = full_counts["_sessions"]
    ses = ses[ses["delay"] <= 1800]
    ord_sorted = ordinary.assign(t=pd.to_datetime(ordinary["created_at"], utc=True, format="ISO8601"))
    ses = ses.assign(t=pd.to_datetime(ses["created_at"], utc=True, format="ISO8601"))
    first = pd.merge_asof(
        ses.sort_values("t"),
        ord_sorted.sort_values("t")[["t", "user_id", "stress"]],
        on="t",
        by="user_id",
        direction="forward",
        allow_exact_matches=False,
    )
    after = first.groupby("genre")["stress"].mean()
    assert after["rock"] < after["jazz"] - 0.3


def test_structure_repeats_taste_lyrics_tags_links(full, full_counts):
    ses = full_counts["_sessions"].sort_values(["user_id", "tweet_id"])
    same_user = ses["user_id"].to_numpy()[1:] == ses["user_id"].to_numpy()[:-1]
    genres = ses["genre"].to_numpy()
    repeat = (genres[1:] == genres[:-1])[same_user].mean()
    shuffled = (
        ses.groupby("user_id")["genre"].transform(lambda s: s.sample(frac=1, random_state=0).to_numpy()).to_numpy()
    )
    chance = (shuffled[1:] == shuffled[:-1])[same_user].mean()
    assert repeat > chance + 0.1

    # Per-user taste: hiphop shares of control users vary more than binomial sampling would.
    users = read_raw(full)["users"]
    control = set(users.loc[users["group"] == "control", "user_id"])
    per_user = ses[ses["user_id"].isin(control)].groupby("user_id")["genre"]
    n = per_user.size()
    share = per_user.apply(lambda s: (s == "hiphop").mean())[n >= 10]
    p = share.mean()
    assert share.var() > 2 * (p * (1 - p) / n[n >= 10]).mean()

    raw = read_raw(full)
    tracks = raw["tracks"].assign(genre=raw["tracks"]["genres"].map(resolve))
    assert tracks["genre"].isna().mean() > 0.01  # ambiguous tracks
    empty = tracks["lyrics"] == ""
    assert empty[tracks["genre"].isin(["jazz", "electronic"])].mean() > 0.2
    assert empty[tracks["genre"].isin(["pop", "rock", "hiphop"])].mean() < 0.1
    assert tracks["genres"].str.contains(";").any()
    assert (tracks["genres"].str.split(";").explode().map(_tag).map(PARENT).isna()).any()  # unlisted tags

    text = raw["tweets"]["text"]
    for form in (
        "spotify:track:",
        "?si=",
        "utm_source=",
        "/intl-",
        "OPEN.SPOTIFY.COM",
        "http://",
        "music.apple.com",
        "soundcloud.com",
        "music.youtube.com",
        "deezer.com",
        "m.soundcloud.com",
        "feature=share",
    ):
        assert text.str.contains(form, regex=False).any(), form
    assert text.str.contains(r"/(?:\s|$)", regex=True).any()  # trailing slash
    links_found = text.str.extract(f"({LINK.pattern})")[0].dropna().map(normalise)
    assert (~links_found.isin({normalise(u) for u in tracks["url"]})).any()  # uncatalogued music


def test_time_of_day_shifts_genre_mix(full, full_counts):
    raw = read_raw(full)
    users = raw["users"].set_index("user_id")
    ses = full_counts["_sessions"]
    stamp = pd.to_datetime(ses["created_at"], utc=True, format="ISO8601")
    listed = ses["user_id"].map(users["utc_offset_minutes"])
    assert listed.isna().any() and listed.notna().any()
    own = ses["created_at"].str[-6:]
    own_minutes = own.map(lambda s: (1 if s[0] == "+" else -1) * (int(s[1:3]) * 60 + int(s[4:6])))
    assert (own_minutes[listed.isna()] != 0).any()
    offset = listed.fillna(own_minutes).astype(int)
    hour = (stamp + pd.to_timedelta(offset, unit="min")).dt.hour
    part = hour.map(time_of_day)
    mix = pd.crosstab(part, ses["genre"], normalize="index")
    assert mix.loc["night", "electronic"] > 1.5 * mix.loc["morning", "electronic"]
    assert mix.loc["morning", "pop"] > mix.loc["night", "pop"]


def test_calibration_at_scale_one(full_counts):
    rows = compare(full_counts, TABLES, 1.0, ptsd_users=derived_ptsd_users(TABLES))
    print(format_rows(rows))
    failed = [r for r in rows if r["ok"] is False]
    assert not failed, format_rows(failed)
    checked_tvd = [r for r in rows if r["check"].startswith("Table III") and r["ok"] is not None]
    assert len(checked_tvd) >= 12
    assert full_counts["users_per_group"].get("panic") == 40
    assert full_counts["dropped"]["ambiguous_genre"] > 0


def test_calibration_rows_flag_a_bad_measurement():
    good = {
        "users_per_group": dict(TABLES["users_per_group"]),
        "sessions": 75063,
        "sessions_with_stress": {str(k): v for k, v in TABLES["sessions_with_stress"].items()},
        "genre_by_group": {
            str(i): {g: dict(zip(GENRES, row)) for g, row in rows.items()}
            for i, rows in TABLES["genre_by_group"].items()
        },
        "class_counts": {"6": dict(TABLES["class_counts_6"])},
    }
    assert all(r["ok"] is not False for r in compare(good, TABLES))
    bad = {**good, "sessions": 70000}
    assert [r["key"] for r in compare(bad, TABLES) if r["ok"] is False] == ["all"]
    assert total_variation([1, 0], [0, 1]) == 1.0


def test_stage_script_writes_folder_and_reports_bad_params(tmp_path):
    import shutil
    import subprocess
    import sys

    from tests.conftest import set_params

    (tmp_path / "paper").mkdir()
    shutil.copy(ROOT / "paper" / "tables.yaml", tmp_path / "paper" / "tables.yaml")
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    shutil.copy(ROOT / "dvc.yaml", tmp_path / "dvc.yaml")
    set_params(tmp_path / "params.yaml", {"synthetic.scale": 0.01})
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": ""}
    script = str(ROOT / "stages" / "synthesize.py")
    done = subprocess.run([sys.executable, script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "data" / "raw" / "synthetic"
    assert sorted(p.name for p in out.iterdir()) == ["tracks.csv", "truth", "tweets.csv", "users.csv"]
    set_params(tmp_path / "params.yaml", {"synthetic.scale": 20})
    bad = subprocess.run([sys.executable, script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "synthetic.scale" in bad.stderr


def test_calibrated_constants_are_a_checked_package_file_not_params(tmp_path):
    """The generator's fitted constants live in the synthetic package (calibration.yaml), not in
    params.yaml (whose every setting `dvc exp show` lists); a wrong or unknown one there stops the
    generator naming the file and the setting, and a changed one changes the data."""
    from nextgenre.errors import ParamsError
    from nextgenre.synthetic.calibration import CONSTANTS_FILE, CONSTANTS_SPEC, constants
    from tests.conftest import set_params

    assert set(constants()) == set(CONSTANTS_SPEC) and not set(CONSTANTS_SPEC) & set(CONFIG)
    assert set(CONFIG) == {"scale", "mood_effect", "memory_effect", "lyrics_effect"}
    own = tmp_path / "calibration.yaml"
    own.write_text(CONSTANTS_FILE.read_text())
    set_params(own, {"stickiness": 2})
    with pytest.raises(ParamsError, match=r"calibration.yaml: stickiness = 2: expected a number in \[0, 0.95\]"):
        constants(own)
    own.write_text(CONSTANTS_FILE.read_text() + "stickyness: 0.5\n")
    with pytest.raises(ParamsError, match="calibration.yaml: unknown setting 'stickyness'"):
        constants(own)
    # The study's knobs override a constant (how tests and benchmarks vary one).
    default = generate({**CONFIG, "scale": 0.01}, SEED, TABLES)["generator"]
    sticky = generate({**CONFIG, "scale": 0.01, "stickiness": 0.9}, SEED, TABLES)["generator"]
    assert default["stickiness"] == constants()["stickiness"] and sticky["stickiness"] == 0.9
