"""The README's real-data commands, as written, in a fresh copy of the repository with no DVC
cache and ../shared beside it, on the whole Last.fm archive: the import gives the committed
real/dvc.lock byte for byte (public key: whatever key is set), a second `dvc repro` runs
nothing, and the study runs through every stage on data without lyrics. The training is short
(the named cheaper form: one epoch, a tiny synthetic stand-in beside it). Under CI=true it must
run."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import ROOT, copy_repo, run, set_params
from tests.realdata_fixtures import good_lines, write_archive, write_table

pytestmark = pytest.mark.e2e

SHARED = ROOT.parent / "shared"
FETCH = ["python", "-m", "nextgenre.realdata.fetch", "--from", "../shared/data"]
STUDY = ["dvc", "exp", "run", "-S", "data.raw=data/raw/lastfm"]
CHEAPER = ["-S", "train.epochs=1", "-S", "synthetic.scale=0.02"]


@pytest.fixture(scope="module")
def shared():
    if not (SHARED / "data").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED / 'data'} missing: CI must have ../shared beside the repository")
        pytest.skip("no ../shared/data beside the repository")
    return SHARED


def test_readme_real_data_commands_in_a_fresh_clone(tmp_path, shared):
    repo = copy_repo(tmp_path / "repo")
    (tmp_path / "shared").symlink_to(shared, target_is_directory=True)
    assert not (repo / ".dvc" / "cache").exists()
    committed_lock = (ROOT / "real" / "dvc.lock").read_text()

    # Before the sources are there, DVC names the missing file.
    proc = run(["dvc", "repro", "real/dvc.yaml"], repo, check=False)
    assert proc.returncode != 0 and "missing data 'source': data/external/" in proc.stdout + proc.stderr

    run(FETCH, repo)
    assert run(["git", "status", "--porcelain"], repo).stdout == ""  # the .dvc files as committed
    secret = {"NEXTGENRE_PSEUDONYM_KEY": "a-secret-that-must-not-change-public-data-0123456789"}
    first = run(["dvc", "repro", "real/dvc.yaml"], repo, env=secret)
    assert "Running stage 'real/dvc.yaml:import_tweets'" in first.stdout
    assert (repo / "real" / "dvc.lock").read_text() == committed_lock
    again = run(["dvc", "repro", "real/dvc.yaml"], repo)
    assert "Running stage" not in again.stdout
    assert "up to date" in run(["dvc", "status", "real/dvc.yaml"], repo).stdout

    study = run([*STUDY, *CHEAPER], repo)
    assert "Traceback" not in study.stdout + study.stderr
    for stage in ("ingest", "embed", "features", "train@lstm", "train@gru", "evaluate@lstm", "baselines", "report"):
        assert f"Running stage '{stage}'" in study.stdout, stage
    assert "embed: 9842 tracks, 0 tokens" in study.stdout  # no lyrics: nothing went through the encoder
    comparison = json.loads((repo / "reports" / "comparison.json").read_text())
    assert comparison["data_source"]["synthetic"] is False
    assert "public listening tweets" in comparison["data_source"]["description"]
    headline = json.loads((repo / "metrics" / "headline.json").read_text())
    assert all(0 < headline[m]["accuracy"] <= 1 for m in ("lstm", "gru"))
    assert "Running stage" not in run(["dvc", "repro", "real/dvc.yaml"], repo).stdout


def test_missing_shared_copy_and_wrong_bytes_stop_fetch_writing_nothing(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run(["python", "-m", "nextgenre.realdata.fetch", "--from", str(empty)], repo, check=False)
    assert proc.returncode != 0
    assert "no copy of" in proc.stderr and "dvc update data/external/" in proc.stderr
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    for name in ("all_tweets_lastfm.7z", "data_w_genres.csv"):
        (wrong / name).write_bytes(b"not the published bytes")
    proc = run(["python", "-m", "nextgenre.realdata.fetch", "--from", str(wrong)], repo, check=False)
    assert proc.returncode != 0 and "not the pinned bytes" in proc.stderr
    assert sorted(p.name for p in (repo / "data/external").iterdir() if not p.name.endswith(".dvc")) == [".gitignore"]


def test_any_archive_set_and_output_folder_from_params(tmp_path, shared):
    """Another archive of the collection, another genre table and another output folder, named in
    params alone: `dvc repro real/dvc.yaml` imports them, the archive is a dependency, and an output
    folder that overlaps the sources or the synthetic data is refused before anything is written."""
    repo = copy_repo(tmp_path / "repo")
    (tmp_path / "shared").symlink_to(SHARED, target_is_directory=True)
    run(FETCH, repo)  # the pinned sources are in the folder too (DVC checks their stubs' outputs)
    write_archive(repo / "data/external/mine.7z", good_lines())
    write_table(repo / "data/external/my_genres.csv")
    settings = {"realdata.archives": ["mine.7z"], "realdata.genres": "my_genres.csv", "realdata.out": "data/raw/mine"}
    set_params(repo / "params.yaml", settings)
    run(["dvc", "repro", "real/dvc.yaml"], repo)
    assert json.loads((repo / "data/raw/mine/import.json").read_text())["sessions"] > 0
    write_archive(repo / "data/external/mine.7z", good_lines(n_users=2))
    status = run(["dvc", "status", "real/dvc.yaml"], repo).stdout
    assert "modified:           data/external" in status

    for out, overlaps in [("data/external/raw", "realdata.sources"), ("data/raw/synthetic", "synthetic data")]:
        set_params(repo / "params.yaml", {"realdata.out": out})
        proc = run(["python", "stages/import_tweets.py"], repo, check=False)
        assert proc.returncode == 2 and f"realdata.out = '{out}' overlaps" in proc.stderr and overlaps in proc.stderr
    set_params(repo / "params.yaml", {"realdata.out": "data/raw/mine2", "realdata.archives": ["absent.7z"]})
    proc = run(["python", "stages/import_tweets.py"], repo, check=False)
    assert proc.returncode == 2 and "data/external/absent.7z: not found" in proc.stderr
    set_params(repo / "params.yaml", {"realdata.archives": ["../elsewhere.7z"]})
    proc = run(["python", "stages/import_tweets.py"], repo, check=False)
    assert proc.returncode == 2 and "realdata.archives[0]" in proc.stderr
    assert not (repo / "data/raw/mine2").exists() and not (repo / "data/raw/synthetic").exists()
