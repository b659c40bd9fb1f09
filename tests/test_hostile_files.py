"""Hostile input, round two (issue 15): one regression test per class that an outside fuzzer
broke. Made-up inputs only (tests/raw_fixtures.py). Permission cases run the code in a child
process without root's override of file modes (setpriv drops CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH), so they bite when the tests run as root too."""

from __future__ import annotations

import bz2
import gzip
import io
import os
import shutil
import signal
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from nextgenre.errors import RawDataError
from nextgenre.ingest import ingest
from nextgenre.outputs import recover
from nextgenre.params import load_params
from nextgenre.plots.data import plot_text, write_data_plots
from nextgenre.pseudonym import KEY_ENV, key_fingerprint, pseudonym
from nextgenre.rawfile import MAX_FILE_MIB, MAX_ROWS, MIB, Limits, capped
from tests.conftest import ROOT, set_params, unprivileged
from tests.raw_fixtures import RAW_MARKERS, frames, write_raw

KEY = b"hostile-files-key-of-at-least-32-characters"
STAGE = ROOT / "stages" / "ingest.py"
OLD = {
    "data/interim/old.parquet": b"old data",
    "data/ingest.json": b'{"old": true}\n',
    "plots/data/old.png": b"old plot",
}


def raises(folder: Path, *words: str, limits: Limits = Limits()) -> RawDataError:
    with pytest.raises(RawDataError) as info:
        ingest(folder, KEY, limits=limits)
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)
    assert "\n" not in message and not any(m.decode() in message for m in RAW_MARKERS)
    assert "b'" not in message  # no raw bytes quoted
    return info.value


def make_repo(tmp_path: Path, raw: str = "raw", tables=None) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(ROOT / "params.yaml", repo / "params.yaml")
    shutil.copy(ROOT / "dvc.yaml", repo / "dvc.yaml")  # stages read the params their dvc.yaml entry declares
    set_params(repo / "params.yaml", {"data.raw": raw, "data.key_fingerprint": key_fingerprint(KEY)})
    write_raw(repo / raw, tables)
    for rel, data in OLD.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(data)
    return repo


def run_stage(repo: Path, privileged: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, KEY_ENV: KEY.decode(), "PYTHONPATH": str(ROOT / "src"), "MPLBACKEND": "Agg"}
    cmd = [sys.executable, str(STAGE)]
    return subprocess.run(
        cmd if privileged else unprivileged(cmd), cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )


def assert_failed_cleanly(proc, *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


def assert_old_outputs(repo: Path) -> None:
    for rel, data in OLD.items():
        assert (repo / rel).read_bytes() == data, rel
    assert sorted(p.name for p in (repo / "plots/data").iterdir()) == ["old.png"]


# --- 1, 8 and the smaller ones: not a regular file, name too long, loops ----------------


@pytest.mark.parametrize("name", ["tracks.csv", "users.csv.gz"])
def test_a_folder_where_a_file_should_be(tmp_path, name):
    raw = write_raw(tmp_path / "raw")
    (raw / name.removesuffix(".gz")).unlink()
    (raw / name).mkdir()
    assert raises(raw, "a folder, not a file").file.endswith(name)


def test_special_files_and_symlink_loops(tmp_path):
    raw = write_raw(tmp_path / "raw")
    (raw / "users.csv").unlink()
    (raw / "users.csv").symlink_to("/dev/zero")
    raises(raw, "users.csv", "not a regular file (a FIFO, device or socket)")
    (raw / "users.csv").unlink()
    os.mkfifo(raw / "users.csv")
    raises(raw, "users.csv", "not a regular file")  # and no hang: a FIFO is never opened
    (raw / "users.csv").unlink()
    (raw / "users.csv").symlink_to("users.csv")
    raises(raw, "users.csv", "symbolic link loop")


def test_a_name_over_255_bytes(tmp_path):
    raises(tmp_path / ("x" * 300), "name in the path is too long")
    raw = write_raw(tmp_path / "raw")
    raises(raw / ("y" * 256) / "..", "too long")


def test_data_raw_is_a_file(tmp_path):
    (tmp_path / "raw").write_text("not a folder")
    raises(tmp_path / "raw", "not a folder")


# --- 2: unreadable files and folders, for a normal user ----------------------------------


@pytest.mark.parametrize("what, mode", [("raw/tweets.csv", 0o000), ("raw", 0o300), ("raw", 0o600)])
def test_unreadable_raw_file_or_folder(tmp_path, what, mode):
    repo = make_repo(tmp_path)
    (repo / what).chmod(mode)
    try:
        proc = run_stage(repo, privileged=False)
    finally:
        (repo / what).chmod(0o755)
    assert_failed_cleanly(proc, "cannot be read (permission denied)")
    assert "Traceback" not in proc.stderr
    assert_old_outputs(repo)


# --- 3: times at the edges of what the pipeline computes with ---------------------------


def with_times(tmp_path, times: dict[int, str], offsets: dict[int, str] | None = None) -> Path:
    tables = frames()
    for row, value in times.items():
        tables["tweets"].loc[row, "created_at"] = value
    for row, value in (offsets or {}).items():
        tables["users"].loc[row, "utc_offset_minutes"] = value
    return write_raw(tmp_path / "raw", tables)


@pytest.mark.parametrize(
    "value",
    [
        "1677-09-21T00:30:00Z",
        "2262-04-11T00:00:00Z",
        "1899-12-31T23:59:59Z",
        "2192-01-01T00:00:00Z",
        "2191-12-31T23:00:00-05:00",
        "1900-01-01T00:00:00+00:01",
        "1677-09-20T00:00:00Z",
        "0001-01-01T00:00Z",
    ],
)
def test_times_outside_the_range_are_refused_with_the_true_range(tmp_path, value):
    error = raises(
        with_times(tmp_path, {3: value}),
        "row 4, column 'created_at'",
        "outside 1900-01-01T00:00:00Z .. 2191-12-31T23:59:59Z (UTC)",
    )
    assert error.row == 4


def test_times_at_the_edges_compute_offsets_and_windows(tmp_path):
    """alice (UTC+120 -> +840 here): session 2191-12-31T22:30Z, ordinary tweets 30 and 75
    minutes later; carol (-840): a session at the first instant of the range."""
    times = {
        0: "2191-12-31T22:30:00Z",
        1: "2191-12-31T23:00:00Z",
        2: "2192-01-01T08:45:00+09:00",
        13: "1900-01-01T00:00:00Z",
    }
    got = ingest(with_times(tmp_path, times, {0: "840", 2: "-840"}), KEY)
    s = got.sessions
    late = s[s["created_at"] == pd.Timestamp("2191-12-31T22:30:00Z")].iloc[0]
    assert (late["n_30"], late["n_60"], late["n_90"]) == (1, 1, 2)
    assert late["stress_90"] == pytest.approx(-4.5)  # -5 and -4 as given
    assert late["time_of_day"] == "afternoon"  # 12:30 local at UTC+14
    early = s[s["created_at"] == pd.Timestamp("1900-01-01T00:00:00Z")].iloc[0]
    assert early["time_of_day"] == "morning"  # 10:00 the day before, at UTC-14


# --- 4: user strings in plots and logs -----------------------------------------------------


@pytest.mark.parametrize("source", ["$\\undefinedmacro$", "$x$", "日本語の/raw", "a\nb\x1b[31m", "\\$5 $"])
def test_user_strings_reach_plots_literally(tmp_path, source):
    metrics = ingest(write_raw(tmp_path / "raw"), KEY).metrics
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a warning
        write_data_plots(metrics, tmp_path, source=source, synthetic=False)
    shown = plot_text(source)
    assert shown.replace("\\$", "").count("$") == 0 and "\n" not in shown


def test_a_raw_folder_named_with_markup_runs_the_stage(tmp_path):
    repo = make_repo(tmp_path, raw="$\\undefinedmacro$ 日本")
    proc = run_stage(repo)
    assert proc.returncode == 0, proc.stderr
    assert "Glyph" not in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in (repo / "plots/data").iterdir()) == ["genre_mix.png", "sessions_per_group.png"]


def test_an_error_about_a_path_with_a_line_break_is_one_line(tmp_path):
    repo = make_repo(tmp_path, raw="raw\nfolder\x1b[2J")
    (repo / "raw\nfolder\x1b[2J" / "users.csv").unlink()
    proc = run_stage(repo)
    assert_failed_cleanly(proc, "missing file", "raw\\nfolder\\x1b[2J")


# --- 5: line ends that pandas and csv read alike ------------------------------------------


@pytest.mark.parametrize("ends", [("\r", "\n"), ("\r", "\r\n"), ("\n", "\r"), ("\r\n", "\r", "\n")])
def test_mixed_line_ends_read_as_csv_reads_them(tmp_path, ends):
    plain = ingest(write_raw(tmp_path / "plain"), KEY)
    for name, df in frames().items():
        lines = df.to_csv(index=False, lineterminator="\n").splitlines()
        text = "".join(line + ends[min(i, len(ends) - 1)] for i, line in enumerate(lines))
        (tmp_path / "mixed").mkdir(exist_ok=True)
        (tmp_path / "mixed" / f"{name}.csv").write_bytes(text.encode())
    got = ingest(tmp_path / "mixed", KEY)
    pd.testing.assert_frame_equal(got.sessions, plain.sessions)
    assert got.metrics == plain.metrics


def test_a_blank_cr_line_before_an_empty_first_field(tmp_path):
    """pandas' C reader drops the empty first field after a lone-CR blank line; csv does not."""
    tables = frames()
    tables["tweets"] = tables["tweets"][["stress", "tweet_id", "user_id", "created_at", "text"]]
    write_raw(tmp_path / "raw", tables)
    text = tables["tweets"].to_csv(index=False, lineterminator="\r")
    (tmp_path / "raw/tweets.csv").write_bytes(text.replace("\r,", "\r\r,").encode())
    got = ingest(tmp_path / "raw", KEY)
    assert got.metrics == ingest(write_raw(tmp_path / "plain", frames()), KEY).metrics


# --- 6: output folders that cannot be written ---------------------------------------------


@pytest.mark.parametrize("folder", ["data/interim", "plots/data"])
def test_a_read_only_output_folder_stops_before_any_work(tmp_path, folder):
    repo = make_repo(tmp_path)
    (repo / folder).chmod(0o555)
    try:
        proc = run_stage(repo, privileged=False)
    finally:
        (repo / folder).chmod(0o755)
    assert_failed_cleanly(proc, f"{folder}: cannot be written")
    assert_old_outputs(repo)


# --- 7: a stage's outputs are committed as one unit -----------------------------------------

_KILL_AT = """
import os, signal, sys
from pathlib import Path
from nextgenre import outputs
kill_at, calls = int(sys.argv[1]), []
real_replace = os.replace
def replace(src, dst):
    calls.append(1)
    if len(calls) == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst)
outputs.os.replace = replace
with outputs.atomic_outputs(outputs.out_dir("plots/data"), outputs.out_dir("data/interim"),
                            outputs.out_file("data/ingest.json")) as (plots, interim, metrics):
    (plots / "new.png").write_text("new")
    (interim / "new.parquet").write_text("new")
    metrics.write_text("new")
"""


def output_set(repo: Path) -> str:
    """'old', 'new', or what else the three outputs hold."""
    names = [
        sorted(p.name for p in (repo / d).iterdir()) if (repo / d).is_dir() else None
        for d in ("plots/data", "data/interim")
    ]
    metrics = (repo / "data/ingest.json").read_text() if (repo / "data/ingest.json").is_file() else None
    if names == [["old.png"], ["old.parquet"]] and metrics == '{"old": true}\n':
        return "old"
    if names == [["new.png"], ["new.parquet"]] and metrics == "new":
        return "new"
    return f"mixed: {names} {metrics!r}"


@pytest.mark.parametrize("kill_at", range(1, 9))
def test_a_kill_at_any_rename_leaves_one_set_after_recovery(tmp_path, kill_at):
    """SIGKILL at each os.replace of the commit (journal, 3 x backup and new): right after the
    kill, recovery (what the next run does first) gives the old set or the new set."""
    repo = make_repo(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", _KILL_AT, str(kill_at)],
        cwd=repo,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    killed = proc.returncode == -signal.SIGKILL
    assert killed or kill_at > 7  # 7 renames: the journal's, then two per existing output
    recover([repo / "plots/data"])
    state = output_set(repo)
    assert state == ("old" if kill_at == 1 else "new"), (kill_at, state)
    subprocess.run(
        [sys.executable, "-c", _KILL_AT, "0"],
        cwd=repo,
        timeout=60,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # the next run: no kill
    assert output_set(repo) == "new"
    assert not [p for p in repo.rglob(".*") if ".tmp" in p.name or p.name.endswith(".commit.json")]


def test_the_next_stage_run_repairs_a_half_commit(tmp_path):
    repo = make_repo(tmp_path)
    subprocess.run(
        [sys.executable, "-c", _KILL_AT, "4"], cwd=repo, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT / "src")}
    )
    assert output_set(repo).startswith("mixed")
    (repo / "raw/users.csv").write_text("user_id\n")  # broken input: the stage stops...
    assert_failed_cleanly(run_stage(repo), "column 'group'")
    assert output_set(repo) == "new"  # ...after making its outputs one set again


# --- 9: caps on decompressed size and rows -------------------------------------------------


def test_a_compressed_bomb_stops_at_the_byte_cap(tmp_path):
    tables = frames()
    tables["tracks"].loc[0, "lyrics"] = "la " * (2 * MIB)
    raw = write_raw(tmp_path / "raw", tables, gz=True)
    assert (raw / "tracks.csv.gz").stat().st_size < 50_000
    raises(
        raw,
        "tracks.csv.gz",
        "more than 1 MiB of data after decompression",
        "data.max_file_mib",
        limits=Limits(max_bytes=MIB),
    )
    assert ingest(raw, KEY, limits=Limits(max_bytes=8 * MIB)).metrics["tracks"] > 0


def test_too_many_rows_stop_at_the_row_cap(tmp_path):
    raw = write_raw(tmp_path / "raw")
    raises(raw, "tweets.csv", "more than 19 data rows", "data.max_rows", limits=Limits(max_rows=19))
    assert ingest(raw, KEY, limits=Limits(max_rows=20)).metrics["tweets"] == 20


def test_the_stage_takes_its_caps_from_params(tmp_path):
    repo = make_repo(tmp_path)
    set_params(repo / "params.yaml", {"data.max_rows": 5})
    assert_failed_cleanly(run_stage(repo), "tweets.csv", "more than 5 data rows")
    assert_old_outputs(repo)


def test_capped_streams_and_defaults():
    with pytest.raises(RawDataError, match="archive.7z/users.csv: more than 100 bytes"):
        capped(io.BytesIO(b"x" * 200), "archive.7z/users.csv", 100).read()
    assert capped(io.BytesIO(b"x" * 100), "f", 100).read() == b"x" * 100
    data = load_params(ROOT / "params.yaml")["data"]
    assert (data["max_file_mib"], data["max_rows"]) == (MAX_FILE_MIB, MAX_ROWS)
    assert Limits.from_params(data) == Limits()


# --- smaller ones ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda b: b"\x1f\x8b" + b"\x00" * 30, "not a valid gzip file"),
        (lambda b: b"\x1f\x8bab" + b"x" * 30, "not a valid gzip file"),
        (lambda b: gzip.compress(b)[:-12], "not a valid gzip file (cut short)"),
        (lambda b: gzip.compress(b) + b"zebra", "not a valid gzip file (damaged)"),  # Python's text quoted bytes
        (lambda b: gzip.compress(gzip.compress(b)), "gzip-compressed data inside gzip"),
        (lambda b: bz2.compress(b), "bzip2-compressed data"),
        (lambda b: zip_of(b), "zip-compressed data"),
        (lambda b: b.replace(b"user_id", b"user\x00id", 1), "header line: a NUL byte"),
        (lambda b: b.decode().encode("utf-16-le"), "UTF-16 or UTF-32"),
    ],
)
def test_damaged_or_other_formats_are_named_without_quoting_bytes(tmp_path, make, words):
    raw = write_raw(tmp_path / "raw")
    (raw / "users.csv").write_bytes(make((raw / "users.csv").read_bytes()))
    raises(raw, "users.csv", words)


def zip_of(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("users.csv", data)
    return out.getvalue()


def test_ids_with_surrounding_white_space_are_the_same_id(tmp_path):
    tables = frames()
    tables["users"]["user_id"] = " " + tables["users"]["user_id"] + "\t"
    tables["tweets"]["tweet_id"] = tables["tweets"]["tweet_id"] + "  "
    tables["tweets"].loc[0, "user_id"] = " alice_raw_id "
    got = ingest(write_raw(tmp_path / "padded", tables), KEY)
    plain = ingest(write_raw(tmp_path / "plain"), KEY)
    pd.testing.assert_frame_equal(got.sessions, plain.sessions)
    assert pseudonym("alice_raw_id", KEY) in set(got.sessions["user"])
    tables = frames()
    tables["users"].loc[1, "user_id"] = " alice_raw_id"  # the same user twice
    raises(write_raw(tmp_path / "twice", tables), "row 2, column 'user_id'", "duplicate user_id")


@pytest.mark.parametrize(
    "url",
    ["https://%00.com/x", "open.spotify.com/track/AAA111", "https://a..b/x", "ftp://open.spotify.com/track/AAA111"],
)
def test_track_urls_must_be_links(tmp_path, url):
    tables = frames()
    tables["tracks"].loc[2, "url"] = url
    raises(write_raw(tmp_path / "raw", tables), "tracks.csv, row 3, column 'url'", "not a link")
