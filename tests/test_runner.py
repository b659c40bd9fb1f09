"""Stages stop before any work when an output cannot be written, with one clear line."""

import os

import pytest

from nextgenre import runner
from nextgenre.errors import OutputError


def test_a_folder_that_cannot_be_written_is_named(tmp_path):
    (tmp_path / "data").write_text("a file where a folder should be")
    with pytest.raises(OutputError, match=r"data/embeddings: cannot be written"):
        runner.check_writable([tmp_path / "data" / "embeddings"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_folder_is_named(tmp_path):
    (tmp_path / "ro").mkdir(mode=0o500)
    with pytest.raises(OutputError, match="ro/out: cannot be written"):
        runner.check_writable([tmp_path / "ro" / "out"])


def test_a_nearly_full_disk_stops_the_stage(tmp_path, monkeypatch):
    class Usage:
        free = 5 * 2**20
    monkeypatch.setattr(runner.shutil, "disk_usage", lambda path: Usage)
    with pytest.raises(OutputError, match=r"out\.json: only 5 MiB free on its disk, at least 200 MiB"):
        runner.check_writable([tmp_path / "out.json"])


def test_nothing_is_created_by_the_check(tmp_path):
    runner.check_writable([tmp_path / "a" / "b" / "c.json"])
    assert list(tmp_path.iterdir()) == []


def test_run_stage_prints_one_line_and_exits_2(tmp_path, capsys):
    ran = []
    (tmp_path / "blocker").write_text("")
    with pytest.raises(SystemExit) as exit_info:
        runner.run_stage(lambda: ran.append(1), outputs=[tmp_path / "blocker" / "out"])
    assert exit_info.value.code == 2 and not ran
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
