"""The ingest stage on a hand-made raw folder (tests/raw_fixtures.py): sessions, genres, time of
day, stress windows, pseudonyms, reproducible bytes, and one test per kind of broken input."""

from __future__ import annotations

import gzip
import json
import runpy
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nextgenre.constants import CLASS_SCHEMES, GROUPS, INTERVALS, class_names
from nextgenre.errors import NextgenreError, RawDataError
from nextgenre.ingest import SESSION_COLUMNS, ingest
from nextgenre.pseudonym import KEY_ENV, PUBLIC_KEY, key_fingerprint, pseudonym, pseudonym_key
from nextgenre.sources import is_public
from nextgenre.stress_windows import stress_windows
from tests.conftest import ROOT, run, set_params
from tests.raw_fixtures import RAW_MARKERS, frames, write_raw

# Its module-scoped fixtures are built once: all its tests run in one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("test_ingest")

KEY = PUBLIC_KEY.encode()
STAGE = ROOT / "stages" / "ingest.py"
OUTPUTS = ("data/interim", "data/ingest.json", "plots/data")


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return ingest(write_raw(tmp_path_factory.mktemp("raw")), KEY)


def session_of(result, user_id, hhmm_utc):
    s = result.sessions
    row = s[(s["user"] == pseudonym(user_id, KEY)) & (s["created_at"].dt.strftime("%Y-%m-%d %H:%M") == hhmm_utc)]
    assert len(row) == 1, (user_id, hhmm_utc)
    return row.iloc[0]


# --- sessions, genres, drops -------------------------------------------------------------


def test_sessions_found_through_different_url_forms(result):
    s = result.sessions
    assert list(s.columns) == SESSION_COLUMNS
    assert len(s) == 8
    by_track = s.groupby("track").size().to_dict()
    assert by_track == {
        "open.spotify.com/track/AAA111": 3,  # intl-de + query, URI, http + slash
        "music.apple.com/us/album/some-album/123?i=456": 1,  # extra query param dropped, i kept
        "soundcloud.com/artist/song": 1,  # m. host, trailing slash
        "youtube.com/watch?v=XYZ987": 2,  # m.youtube.com + params, youtu.be
        "deezer.com/track/999": 1,  # language prefix
    }
    assert set(s["genre"]) == {"hiphop", "pop", "rock", "jazz", "others"}
    # Each session carries its track's artist from tracks.csv (the optional artist input).
    assert set(s.loc[s.track == "open.spotify.com/track/AAA111", "artist"]) == {"Artist A"}
    assert set(s.loc[s.track == "soundcloud.com/artist/song", "artist"]) == {"Artist C"}


def test_dropped_sessions_are_counted(result):
    assert result.metrics["dropped"] == {"ambiguous_genre": 1, "no_genre": 1, "unknown_track": 1}
    assert "open.spotify.com/track/AMB222" not in set(result.sessions["track"])


def test_sessions_sorted_by_user_then_time(result):
    s = result.sessions
    assert s.equals(s.sort_values(["user", "created_at"], kind="stable").reset_index(drop=True))
    assert str(s["created_at"].dt.tz) == "UTC"
    assert (s["disorder"] == (s["group"] != "control")).all()


def test_tracks_table(result):
    t = result.tracks
    assert list(t.columns) == ["track", "genre", "lyrics"]
    assert list(t["track"]) == sorted(t["track"]) and len(t) == 5
    assert t.set_index("track").loc["youtube.com/watch?v=XYZ987", "lyrics"] == ""


# --- time of day ----------------------------------------------------------------------------


def test_time_of_day_uses_user_offset_when_given(result):
    # alice is UTC+120: 05:00Z is 07:00 local (morning), though written as 05:00+00:00 (night)
    assert session_of(result, "alice_raw_id", "2020-01-01 05:00")["time_of_day"] == "morning"
    assert session_of(result, "alice_raw_id", "2020-01-01 10:00")["time_of_day"] == "afternoon"
    # carol is UTC-300: 20:00Z is 15:00 local
    assert session_of(result, "carol_raw_id", "2020-01-03 20:00")["time_of_day"] == "afternoon"


def test_time_of_day_falls_back_to_written_clock(result):
    # bob has no offset: 23:30-05:00 is evening as written (04:30 UTC would be night)
    row = session_of(result, "bob_raw_id", "2020-01-02 04:30")
    assert row["time_of_day"] == "evening"


# --- stress ---------------------------------------------------------------------------------


def test_stress_windows_on_fixture(result):
    first = session_of(result, "alice_raw_id", "2020-01-01 10:00")
    # same-second tweet excluded (strictly after t); 10:30 is at t+30 (included); the music
    # tweets at 10:40/10:45 and bob's 10:10 tweet are not counted; 11:30:01 is past t+90.
    assert (first["n_30"], first["n_60"], first["n_90"]) == (1, 2, 3)
    assert (first["stress_30"], first["stress_60"], first["stress_90"]) == (-4.0, -3.0, -3.0)
    second = session_of(result, "alice_raw_id", "2020-01-01 10:45")
    assert (second["n_30"], second["n_60"], second["n_90"]) == (1, 3, 3)
    assert (second["stress_30"], second["stress_60"]) == (-2.0, -2.0)
    none = session_of(result, "alice_raw_id", "2020-01-01 05:00")
    assert none["n_90"] == 0 and np.isnan(none["stress_90"])


def test_stress_windows_unit():
    t0 = np.datetime64("2021-06-01T12:00:00", "ns")
    minute = np.timedelta64(60, "s")
    s_user = np.array(["a", "b", "a"], dtype=object)
    s_time = np.array([t0, t0, t0 + 100 * minute])
    t_user = np.array(["a", "a", "a", "a", "b", "a"], dtype=object)
    t_time = np.array([t0 - minute, t0, t0 + 30 * minute, t0 + 31 * minute, t0 + minute, t0 + 190 * minute])
    t_stress = np.array([-5.0, -5.0, -2.0, -4.0, -1.0, -3.0])
    w = stress_windows(s_user, s_time, t_user, t_time, t_stress)
    assert w["n_30"].tolist() == [1, 1, 0] and w["n_60"].tolist() == [2, 1, 0]
    assert w["n_90"].tolist() == [2, 1, 1]
    assert w["stress_60"][0] == -3.0 and w["stress_30"][1] == -1.0 and np.isnan(w["stress_30"][2])
    assert w["stress_90"][2] == -3.0


def test_stress_override_and_scorer(result):
    tweets = result.tweets
    assert list(tweets.columns) == ["user", "created_at", "stress"]
    assert len(tweets) == 9 == result.metrics["ordinary_tweets"]
    bob = tweets[tweets["user"] == pseudonym("bob_raw_id", KEY)].set_index("created_at")["stress"]
    assert bob.iloc[0] == -5.0  # given in the stress column
    assert -5.0 <= bob.iloc[1] < -3.0  # scored by VADER: a very stressed text
    assert tweets["stress"].between(-5, -1).all()


# --- metrics --------------------------------------------------------------------------------


def test_metrics_shape_and_values(result):
    m = result.metrics
    assert list(m["users_per_group"]) == list(GROUPS)
    assert m["users_per_group"]["ptsd"] == 1 and m["users_per_group"]["panic"] == 0
    assert m["sessions"] == 8 and m["tweets"] == 20 and m["tracks"] == 5 and m["unlisted_tags"] == 2
    assert m["sessions_with_stress"] == {"30": 3, "60": 4, "90": 4}
    for i in INTERVALS:
        table = m["genre_by_group"][str(i)]
        assert list(table) == list(GROUPS)
        assert sum(sum(row.values()) for row in table.values()) == m["sessions_with_stress"][str(i)]
    assert m["genre_by_group"]["30"]["control"]["hiphop"] == 2
    for scheme in CLASS_SCHEMES:
        assert list(m["class_counts"][str(scheme)]) == class_names(scheme)
    assert m["class_counts"]["6"] == {"jazz": 2, "electronic": 0, "hiphop": 3, "pop": 1, "rock": 1, "others": 1}
    assert m["class_counts"]["4"]["others"] == 3 and sum(m["class_counts"]["3"].values()) == 5
    assert m["sessions_per_user"] == {
        "control": 3.0,
        "depression": 2.0,
        "anxiety": 3.0,
        "bipolar": 0.0,
        "borderline": 0.0,
        "ptsd": 0.0,
        "panic": 0.0,
    }


def test_gzipped_raw_gives_the_same_result(tmp_path, result):
    gz = ingest(write_raw(tmp_path / "gz", gz=True), KEY)
    pd.testing.assert_frame_equal(gz.sessions, result.sessions)
    assert gz.metrics == result.metrics


# --- pseudonyms -----------------------------------------------------------------------------


def test_key_sources(tmp_path, monkeypatch):
    """Public data: the public key whatever is set; private data: the secret key, whose
    fingerprint must be the param data.key_fingerprint."""
    secret_file, secret_env = "f" * 40, "e" * 40
    monkeypatch.delenv(KEY_ENV, raising=False)
    assert pseudonym_key("data/raw/synthetic", tmp_path) == KEY
    with pytest.raises(NextgenreError, match="python -m nextgenre.pseudonym new"):
        pseudonym_key("data/raw/private", tmp_path)
    (tmp_path / ".nextgenre-key").write_text(secret_file + "\n")
    with pytest.raises(
        NextgenreError, match=f"data.key_fingerprint is 'none'.*{key_fingerprint(secret_file.encode())}"
    ):
        pseudonym_key("data/raw/private", tmp_path, fingerprint="none")
    fp_file = key_fingerprint(secret_file.encode())
    assert pseudonym_key("data/raw/private", tmp_path, fingerprint=fp_file) == secret_file.encode()
    monkeypatch.setenv(KEY_ENV, secret_env)
    with pytest.raises(NextgenreError, match=KEY_ENV):  # the environment wins; its key has another fingerprint
        pseudonym_key("data/raw/private", tmp_path, fingerprint=fp_file)
    fp_env = key_fingerprint(secret_env.encode())
    assert pseudonym_key("data/raw/private", tmp_path, fingerprint=fp_env) == secret_env.encode()
    assert pseudonym_key("data/raw/synthetic", tmp_path, fingerprint=fp_env) == KEY  # public data: never the secret
    assert secret_env not in fp_env and len(fp_env) == 16
    assert pseudonym("alice_raw_id", secret_env.encode()) != pseudonym("alice_raw_id", secret_file.encode())


@pytest.mark.parametrize("bad", ["", "   ", "short-key"])
def test_a_key_too_short_or_empty_is_refused_naming_where_it_came_from(tmp_path, monkeypatch, bad):
    monkeypatch.setenv(KEY_ENV, bad)
    with pytest.raises(NextgenreError, match=f"{KEY_ENV} is (empty|9 characters).*at least 32"):
        pseudonym_key("data/raw/private", tmp_path, fingerprint="none")


def test_an_imported_public_folder_uses_the_public_key(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "s" * 40)
    raw = tmp_path / "data/raw/lastfm"
    raw.mkdir(parents=True)
    assert not is_public(raw)
    (raw / "import.json").write_text(json.dumps({"sources": "public", "sessions": 3}))
    assert is_public(raw) and pseudonym_key(raw, tmp_path) == KEY
    (raw / "import.json").write_text(json.dumps({"sessions": 3}))  # no public marker: private
    assert not is_public(raw)


# --- the stage script -------------------------------------------------------------------------


def make_repo(tmp_path: Path, tables=None, raw: str = "data/raw/synthetic") -> Path:
    """A working folder with params.yaml, the raw fixture (or `tables`) at `raw`."""
    repo = tmp_path / "repo"
    repo.mkdir(parents=True)
    shutil.copy(ROOT / "params.yaml", repo / "params.yaml")
    shutil.copy(ROOT / "dvc.yaml", repo / "dvc.yaml")
    set_params(repo / "params.yaml", {"data.raw": raw})
    write_raw(repo / raw, tables)
    return repo


def run_stage_in(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    runpy.run_path(str(STAGE), run_name="__main__")


def written_files(repo: Path) -> list[Path]:
    return sorted(
        p
        for out in OUTPUTS
        for p in ([repo / out] if (repo / out).is_file() else (repo / out).rglob("*"))
        if p.is_file()
    )


def test_stage_outputs_have_no_raw_ids_or_texts(tmp_path, monkeypatch):
    repo = make_repo(tmp_path)
    run_stage_in(repo, monkeypatch)
    files = written_files(repo)
    names = {p.relative_to(repo).as_posix() for p in files}
    assert names == {
        "data/interim/sessions.parquet",
        "data/interim/tweets.parquet",
        "data/interim/tracks.parquet",
        "data/ingest.json",
        "plots/data/sessions_per_group.png",
        "plots/data/genre_mix.png",
    }
    for path in files:
        data = path.read_bytes()
        for marker in RAW_MARKERS + [str(tmp_path).encode()]:
            assert marker not in data, (path, marker)
    for name in ("sessions", "tweets"):  # decoded values too (parquet may compress the bytes)
        df = pd.read_parquet(repo / f"data/interim/{name}.parquet")
        text = df.astype(str).to_csv().encode()
        assert not any(marker in text for marker in RAW_MARKERS)
    metrics = json.loads((repo / "data/ingest.json").read_text())
    assert metrics["sessions"] == 8


def test_stage_bytes_are_reproducible(tmp_path, monkeypatch):
    first = make_repo(tmp_path / "a")
    second = make_repo(tmp_path / "b")
    run_stage_in(first, monkeypatch)
    run_stage_in(second, monkeypatch)
    a, b = written_files(first), written_files(second)
    assert [p.relative_to(first) for p in a] == [p.relative_to(second) for p in b]
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.relative_to(first)


# --- broken raw folders: one message naming file, row and column; nothing written ------------


def _set(name, row, column, value):
    def damage(tables):
        tables[name].loc[row - 1, column] = value

    return damage


def _drop_column(name, column):
    def damage(tables):
        tables[name] = tables[name].drop(columns=[column])

    return damage


def _append_copy(name, row):
    def damage(tables):
        tables[name] = pd.concat([tables[name], tables[name].iloc[[row - 1]]], ignore_index=True)

    return damage


BROKEN = {
    "missing column": (_drop_column("users", "group"), ["users.csv", "column 'group'", "header line"]),
    "unknown group": (_set("users", 3, "group", "sad"), ["users.csv, row 3, column 'group'", "unknown group"]),
    "bad utc offset": (
        _set("users", 2, "utc_offset_minutes", "900"),
        ["users.csv, row 2, column 'utc_offset_minutes'"],
    ),
    "non-integer utc offset": (
        _set("users", 1, "utc_offset_minutes", "1.5"),
        ["users.csv, row 1, column 'utc_offset_minutes'"],
    ),
    "unparseable timestamp": (
        _set("tweets", 5, "created_at", "yesterday at noon"),
        ["tweets.csv, row 5, column 'created_at'", "ISO 8601"],
    ),
    "timestamp without offset": (
        _set("tweets", 6, "created_at", "2020-01-01T11:30:00"),
        ["tweets.csv, row 6, column 'created_at'", "offset"],
    ),
    "impossible date": (
        _set("tweets", 2, "created_at", "2020-13-01T10:00:00Z"),
        ["tweets.csv, row 2, column 'created_at'"],
    ),
    "duplicate user id": (_append_copy("users", 2), ["users.csv, row 5, column 'user_id'", "duplicate", "row 2"]),
    "duplicate tweet id": (
        _set("tweets", 9, "tweet_id", "rawtweet_03"),
        ["tweets.csv, row 9, column 'tweet_id'", "duplicate", "row 3"],
    ),
    "duplicate track url": (
        _set("tracks", 7, "url", "http://open.spotify.com/intl-fr/track/AAA111/"),
        ["tracks.csv, row 7, column 'url'", "duplicate", "row 1"],
    ),
    "tweet by unknown user": (
        _set("tweets", 7, "user_id", "zed_raw_id"),
        ["tweets.csv, row 7, column 'user_id'", "not in users.csv"],
    ),
    "stress out of range": (_set("tweets", 3, "stress", "2"), ["tweets.csv, row 3, column 'stress'"]),
    "stress not a number": (_set("tweets", 3, "stress", "high"), ["tweets.csv, row 3, column 'stress'"]),
    "empty user id": (_set("users", 1, "user_id", ""), ["users.csv, row 1, column 'user_id'", "empty"]),
    # found by tests/test_hostile_input.py: these raised tracebacks or passed silently
    "year before 1900": (
        _set("tweets", 2, "created_at", "1000-01-01T00:00:00Z"),
        ["tweets.csv, row 2, column 'created_at'", "outside 1900-01-01"],
    ),
    "year after 2191": (
        _set("tweets", 4, "created_at", "9999-12-31T23:59:59+01:00"),
        ["tweets.csv, row 4, column 'created_at'", "2191-12-31T23:59:59Z (UTC)"],
    ),
    "offset in other digits": (
        _set("users", 1, "utc_offset_minutes", "\u0661\u0662\u0660"),
        ["users.csv, row 1, column 'utc_offset_minutes'"],
    ),
}


def _check_failed(repo: Path, exc: SystemExit, capsys, expected: list[str]) -> None:
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    for part in expected:
        assert part in err, (part, err)
    assert "_raw_id" not in err and "zebra" not in err  # no raw values in messages
    for out in OUTPUTS:
        assert not (repo / out).exists(), out


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_input_stops_stage(case, tmp_path, monkeypatch, capsys):
    damage, expected = BROKEN[case]
    tables = frames()
    damage(tables)
    repo = make_repo(tmp_path, tables)
    with pytest.raises(SystemExit) as exc:
        run_stage_in(repo, monkeypatch)
    _check_failed(repo, exc, capsys, expected)


def test_missing_file(tmp_path, monkeypatch, capsys):
    repo = make_repo(tmp_path)
    (repo / "data/raw/synthetic/tracks.csv").unlink()
    with pytest.raises(SystemExit) as exc:
        run_stage_in(repo, monkeypatch)
    _check_failed(repo, exc, capsys, ["tracks.csv", "missing file", "tracks.csv.gz"])


@pytest.mark.parametrize("content, problem", [(b"", "empty file"), (b"user_id,group\n", "no data rows")])
def test_empty_file(content, problem, tmp_path, monkeypatch, capsys):
    repo = make_repo(tmp_path)
    (repo / "data/raw/synthetic/users.csv").write_bytes(content)
    with pytest.raises(SystemExit) as exc:
        run_stage_in(repo, monkeypatch)
    _check_failed(repo, exc, capsys, ["users.csv", problem])


def test_bad_encoding_names_row_and_column(tmp_path, monkeypatch, capsys):
    repo = make_repo(tmp_path)
    path = repo / "data/raw/synthetic/tweets.csv"
    path.write_bytes(path.read_bytes().replace(b"zebra ninety", b"zebra nin\xe9ty"))  # latin-1 byte
    with pytest.raises(SystemExit) as exc:
        run_stage_in(repo, monkeypatch)
    _check_failed(repo, exc, capsys, ["tweets.csv, row 6, column 'text'", "UTF-8"])


def test_raw_data_error_fields(tmp_path):
    tables = frames()
    _set("tweets", 4, "created_at", "soon")(tables)
    with pytest.raises(RawDataError) as exc:
        ingest(write_raw(tmp_path / "raw", tables), KEY)
    assert (Path(exc.value.file).name, exc.value.row, exc.value.column) == ("tweets.csv", 4, "created_at")


def test_failed_run_keeps_earlier_outputs(tmp_path, monkeypatch, capsys):
    repo = make_repo(tmp_path)
    run_stage_in(repo, monkeypatch)
    before = {p: p.read_bytes() for p in written_files(repo)}
    (repo / "data/raw/synthetic/users.csv").write_text("user_id,group\nx,unknown\n")
    with pytest.raises(SystemExit):
        run_stage_in(repo, monkeypatch)
    assert {p: p.read_bytes() for p in written_files(repo)} == before
    assert not list(repo.glob("**/*.tmp"))


def test_stage_cli_exit_code_and_key_requirement(tmp_path):
    """The real command line: private data without a key stops; with a key, a broken file exits 2."""
    repo = make_repo(tmp_path, raw="data/raw/private")
    shutil.copytree(ROOT / "stages", repo / "stages")
    proc = run([sys.executable, "stages/ingest.py"], repo, check=False, env={KEY_ENV: ""})
    assert proc.returncode == 2 and KEY_ENV in proc.stderr
    (repo / "data/raw/private/tweets.csv").write_text("tweet_id,user_id,text\n1,alice_raw_id,hi\n")
    proc = run([sys.executable, "stages/ingest.py"], repo, check=False, env={KEY_ENV: "secret"})
    assert proc.returncode == 2
    assert "tweets.csv" in proc.stderr and "column 'created_at'" in proc.stderr
    assert not (repo / "data/interim").exists() and not (repo / "metrics").exists()


def test_no_sessions_and_no_ordinary_tweets(tmp_path):
    """Edge cases: a folder without any music link, and one with music links only."""
    tables = frames()
    tables["tweets"]["text"] = "zebra plain words"
    plain = ingest(write_raw(tmp_path / "plain", tables), KEY)
    assert len(plain.sessions) == 0 and len(plain.tracks) == 0 and len(plain.tweets) == 20
    assert plain.metrics["sessions_with_stress"] == {"30": 0, "60": 0, "90": 0}
    assert plain.metrics["sessions_per_user"]["control"] == 0.0
    tables = frames()
    tables["tweets"]["text"] = "https://open.spotify.com/track/AAA111"
    music = ingest(write_raw(tmp_path / "music", tables), KEY)
    assert len(music.sessions) == 20 and len(music.tweets) == 0
    assert (music.sessions["n_90"] == 0).all()
    from nextgenre.plots.data import write_data_plots

    assert all(p.stat().st_size > 0 for p in write_data_plots(plain.metrics, tmp_path, "x", False))


# --- regressions found by the hostile-input tests (tests/test_hostile_input.py) ---------------


def _rewrite(repo: Path, name: str, change) -> None:
    path = repo / "data/raw/synthetic" / f"{name}.csv"
    path.write_bytes(change(path.read_bytes()))


@pytest.mark.parametrize(
    "case, name, change, expected",
    [
        (
            "UTF-16 with a byte order mark",
            "tweets",
            lambda b: b.decode().encode("utf-16"),
            ["tweets.csv", "header line", "UTF-16"],
        ),
        (
            "UTF-16 without one (valid UTF-8 with NULs)",
            "users",
            lambda b: b.decode().encode("utf-16-le"),
            ["users.csv", "header line", "UTF-16"],
        ),
        (
            "repeated column name",
            "users",
            lambda b: b.replace(b"utc_offset_minutes\n", b"utc_offset_minutes, group\n", 1),
            ["users.csv, column 'group'", "more than once"],
        ),
        (
            "extra field in row 1 (pandas took column 1 as the index)",
            "tracks",
            lambda b: b.replace(b"we rise above", b"we rise above,extra"),
            ["tracks.csv, row 1:", "fields"],
        ),
        (
            "extra field after a quoted line break",
            "tweets",
            lambda b: b.replace(b"zebra same second", b'"zebra\nsame second"').replace(
                b"zebra half hour", b"zebra,half hour"
            ),
            ["tweets.csv, row 3:", "6 fields, but the header line has 5"],
        ),
        (
            "quote never closed",
            "tracks",
            lambda b: b.replace(b",nothing\n", b',"nothing\n'),
            ["tracks.csv, row 7:", "never closed"],
        ),
        ("binary junk", "tweets", lambda b: bytes(range(256)) * 8, ["tweets.csv", "NUL byte (binary data"]),
    ],
)
def test_hostile_bytes_stop_stage(case, name, change, expected, tmp_path, monkeypatch, capsys):
    repo = make_repo(tmp_path)
    _rewrite(repo, name, change)
    with pytest.raises(SystemExit) as exc:
        run_stage_in(repo, monkeypatch)
    _check_failed(repo, exc, capsys, expected)


@pytest.mark.parametrize(
    "case, change",
    [
        ("gzip data in a .csv file", lambda b: gzip.compress(b, mtime=0)),
        ("UTF-8 with a byte order mark and CRLF", lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n")),
        (
            "lowercase t and z, decimal comma",
            lambda b: b.replace(b"2020-01-01T11:00:00Z", b'"2020-01-01t11:00:00,000z"'),
        ),
        ("old Mac line ends, blank line, empty first field", None),
        ("control characters after links and in tags", None),
    ],
)
def test_hostile_bytes_same_result(case, change, tmp_path, result):
    tables = frames()
    if case.startswith("old Mac"):  # pandas' default reader shifted this row one field left
        tables["users"] = tables["users"][["utc_offset_minutes", "user_id", "group"]]
    if case.startswith("control"):
        tables["tweets"]["text"] = tables["tweets"]["text"].str.replace("AAA111", "AAA111\x01", regex=False)
        tables["tracks"]["genres"] = tables["tracks"]["genres"].str.replace(";", "\x00;", regex=False)
        tables["tracks"].loc[0, "url"] += "\x00"
    raw = write_raw(tmp_path / "raw", tables)
    for name in ("users", "tweets", "tracks"):
        path = raw / f"{name}.csv"
        if change is not None:
            path.write_bytes(change(path.read_bytes()))
        elif case.startswith("old Mac"):
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r").replace(b"\r", b"\r\r", 2))
    got = ingest(raw, KEY)
    for name in ("sessions", "tweets", "tracks"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(result, name))
    assert got.metrics == result.metrics


def test_failed_write_leaves_no_partial_output(tmp_path, monkeypatch):
    """The three outputs are put in place together: a failure while writing them changes none."""
    repo = make_repo(tmp_path)
    run_stage_in(repo, monkeypatch)
    before = {p: p.read_bytes() for p in written_files(repo)}
    calls = []

    def failing_to_parquet(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    original = pd.DataFrame.to_parquet
    monkeypatch.setattr(pd.DataFrame, "to_parquet", failing_to_parquet)
    (repo / "data/raw/synthetic/users.csv").write_text(
        (repo / "data/raw/synthetic/users.csv").read_text().replace("ptsd", "panic")
    )
    with pytest.raises(OSError):
        run_stage_in(repo, monkeypatch)
    assert {p: p.read_bytes() for p in written_files(repo)} == before
    assert not list(repo.glob("**/*.tmp")) and not list(repo.glob("**/.*.tmp"))


def test_huge_tweet_is_scored_quickly(tmp_path):
    """VADER's time grows with the square of the word count: a 1 MB tweet once took hours."""
    from nextgenre.stress import MAX_CHARS, score_texts

    huge = "so sad " * 150_000
    tables = frames()
    tables["tweets"].loc[18, "text"] = huge  # rawtweet_19: an ordinary tweet without a given score
    start = time.perf_counter()
    got = ingest(write_raw(tmp_path / "raw", tables), KEY)
    assert time.perf_counter() - start < 20
    bob = got.tweets[got.tweets["user"] == pseudonym("bob_raw_id", KEY)]
    assert bob["stress"].iloc[1] == score_texts([huge[:MAX_CHARS]])[0] < -1


def test_pseudonym_cli_writes_a_key_and_prints_its_fingerprint(tmp_path, monkeypatch):
    """`python -m nextgenre.pseudonym new` as README gives it: a random key in .nextgenre-key (not
    readable by others), its fingerprint printed as the setting to use; no second key over it."""
    monkeypatch.delenv(KEY_ENV, raising=False)  # the environment's key would win
    proc = run([sys.executable, "-m", "nextgenre.pseudonym", "new"], tmp_path)
    key = (tmp_path / ".nextgenre-key").read_text().strip()
    assert len(key) >= 32 and ((tmp_path / ".nextgenre-key").stat().st_mode & 0o077) == 0
    assert f"data.key_fingerprint: {key_fingerprint(key.encode())}" in proc.stdout and key not in proc.stdout
    again = run([sys.executable, "-m", "nextgenre.pseudonym", "new"], tmp_path, check=False)
    assert again.returncode != 0 and "exists already" in again.stderr
    assert (tmp_path / ".nextgenre-key").read_text().strip() == key
