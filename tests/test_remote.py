"""A shared DVC remote as README describes it: add one, push, a fresh clone pulls, nothing re-runs.
The repository names no remote of its own (a folder beside one clone is no remote for anyone else)."""

import pytest

from tests.conftest import run

pytestmark = pytest.mark.e2e


def test_a_clone_names_no_remote_and_says_so_on_pull(reproduced_copy, tmp_path):
    assert run(["dvc", "remote", "list"], reproduced_copy).stdout.strip() == ""
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(reproduced_copy), str(clone)], tmp_path)
    proc = run(["dvc", "pull", "dvc.yaml"], clone, check=False)
    assert proc.returncode != 0 and "no remote" in (proc.stdout + proc.stderr).lower()


def test_shared_remote_push_clone_pull_reruns_nothing(reproduced_copy, tmp_path):
    remote = tmp_path / "shared-remote"  # stands in for s3://, gs://, ssh:// or a shared folder
    run(["dvc", "remote", "add", "-d", "shared", str(remote)], reproduced_copy)
    run(["git", "commit", "-qam", "the team's remote"], reproduced_copy)
    run(["dvc", "push"], reproduced_copy)
    assert any(remote.rglob("*")), "nothing was pushed"

    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(reproduced_copy), str(clone)], tmp_path)
    assert not (clone / "data" / "processed").exists()
    run(["dvc", "pull", "dvc.yaml"], clone)
    assert (clone / "data" / "processed" / "vectors.npy").is_file()
    assert "up to date" in run(["dvc", "status", "dvc.yaml"], clone).stdout
    assert "Running stage" not in run(["dvc", "repro"], clone).stdout


def test_a_tagged_model_version_is_got_with_dvc_artifacts_get(reproduced_copy, tmp_path):
    """DVC's model-registry convention (GTO), as README gives it: an annotated tag
    `<model>@v<version>` on the commit of a result, then `dvc artifacts get . <model>` brings that
    model's folder (a plain tag is not found: GTO reads annotated ones)."""
    run(["git", "tag", "-a", "lstm@v1.0.0", "-m", "lstm v1.0.0"], reproduced_copy)
    out = tmp_path / "got-lstm"
    run(["dvc", "artifacts", "get", ".", "lstm", "-o", str(out)], reproduced_copy)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in (reproduced_copy / "models/lstm").iterdir())
    assert (out / "weights.npz").read_bytes() == (reproduced_copy / "models/lstm/weights.npz").read_bytes()
    pinned = tmp_path / "got-lstm-v1"
    run(["dvc", "artifacts", "get", ".", "lstm", "--rev", "v1.0.0", "-o", str(pinned)], reproduced_copy)
    assert (pinned / "weights.npz").is_file()
