"""Stage outputs are written whole or not at all."""

import json
import os
import stat

import numpy as np
import pytest

from nextgenre.outputs import atomic_dir, atomic_file, atomic_outputs, out_dir, out_file, recover, write_json


def test_failed_dir_write_leaves_the_old_output_and_no_temporary(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_dir(out) as tmp:
        (tmp / "new.txt").write_text("half")
        raise RuntimeError("killed")
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert (out / "old.txt").read_text() == "old" and not (out / "new.txt").exists()


def test_successful_dir_write_replaces_whole_with_usual_modes(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("stale")
    with atomic_dir(out) as tmp:
        (tmp / "new.txt").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == ["new.txt"]
    assert stat.S_IMODE(out.stat().st_mode) & 0o055  # not owner-only


def test_leftovers_of_a_killed_run_are_cleared(tmp_path):
    (tmp_path / ".out.abc123.tmp").mkdir()
    (tmp_path / ".m.xyz.tmp.json").write_text("{")
    with atomic_dir(tmp_path / "out"):
        pass
    with atomic_file(tmp_path / "m.json") as tmp:
        assert tmp.suffix == ".json"
        tmp.write_text("{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "out"]


def test_write_json_is_sorted_rounded_and_plain(tmp_path):
    write_json(tmp_path / "m.json", {"b": np.float32(0.1234567891), "a": (1, 2), "c": np.arange(2)})
    text = (tmp_path / "m.json").read_text()
    assert json.loads(text) == {"a": [1, 2], "b": 0.123457, "c": [0, 1]}
    assert text.index('"a"') < text.index('"b"')


def test_outputs_commit_together_and_replace_either_kind(tmp_path):
    (tmp_path / "a.json").mkdir()  # a folder where the file output goes
    (tmp_path / "a.json" / "x").write_text("old")
    (tmp_path / "d").write_text("a file where the folder output goes")
    with atomic_outputs(out_file(tmp_path / "a.json"), out_dir(tmp_path / "d")) as (f, d):
        f.write_text("{}")
        (d / "new.txt").write_text("new")
    assert (tmp_path / "a.json").read_text() == "{}" and (tmp_path / "d" / "new.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "d"]


def test_a_commit_that_fails_part_way_is_finished_by_recover(tmp_path, monkeypatch):
    """An OS error between the renames keeps the journal and the new outputs not yet in place:
    recover() (the next run) completes the new set."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "old").write_text("old")
    real_replace, calls = os.replace, []

    def replace(src, dst):
        calls.append(1)
        if len(calls) == 4:  # journal, a -> backup, new a, then b -> backup fails
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError), atomic_outputs(out_dir(tmp_path / "a"), out_dir(tmp_path / "b")) as (a, b):
        (a / "new").write_text("new")
        (b / "new").write_text("new")
    monkeypatch.setattr(os, "replace", real_replace)
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["old"]
    recover([tmp_path / "a"])
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["new"]
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]
