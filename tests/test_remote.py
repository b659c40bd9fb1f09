"""The documented DVC remote: push, a fresh clone, pull, and nothing left to re-run."""

import pytest

from tests.conftest import run

pytestmark = pytest.mark.e2e


def test_push_clone_pull_reruns_nothing(reproduced_copy, tmp_path):
    # The default remote is the folder ../nextgenre-dvc-remote beside the repository.
    assert "../nextgenre-dvc-remote" in (reproduced_copy / ".dvc" / "config").read_text()
    run(["dvc", "push"], reproduced_copy)
    assert any((tmp_path / "nextgenre-dvc-remote").rglob("*")), "nothing was pushed"

    clone = tmp_path / "clone"  # a sibling, so ../nextgenre-dvc-remote is the same folder
    run(["git", "clone", "-q", str(reproduced_copy), str(clone)], tmp_path)
    assert not (clone / "data" / "processed").exists()
    run(["dvc", "pull", "dvc.yaml"], clone)
    assert (clone / "data" / "processed" / "vectors.npy").is_file()
    assert "up to date" in run(["dvc", "status", "dvc.yaml"], clone).stdout
    assert "Running stage" not in run(["dvc", "repro"], clone).stdout
