"""A secret pseudonym key, set for private data, changes nothing in the synthetic study: the
public data take the public key (nextgenre.pseudonym), so ingest gives the same bytes and DVC
has nothing to re-run."""

import pytest

from nextgenre.pseudonym import KEY_ENV, KEY_FILE
from tests.conftest import run

pytestmark = pytest.mark.e2e


def test_a_secret_key_changes_nothing_in_the_synthetic_study(reproduced_copy):
    (reproduced_copy / KEY_FILE).write_text("f" * 40 + "\n")  # git-ignored
    env = {KEY_ENV: "e" * 40}
    assert "up to date" in run(["dvc", "status", "dvc.yaml"], reproduced_copy, env=env).stdout
    rerun = run(["dvc", "repro", "-f", "-s", "ingest"], reproduced_copy, env=env)
    assert "Running stage 'ingest'" in rerun.stdout
    assert run(["git", "status", "--porcelain"], reproduced_copy).stdout == ""  # dvc.lock: the same hashes
    assert "up to date" in run(["dvc", "status", "dvc.yaml"], reproduced_copy, env=env).stdout
