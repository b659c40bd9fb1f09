"""The suite's own parallel set-up: pytest-xdist keeps the tests of one xdist_group in one worker
(tests/conftest.py relies on it to build a costly fixture once and to start the long tests first)."""

import os

import pytest


@pytest.mark.xdist_group("test_workers")
def test_xdist_group_marks_are_honoured(request):
    if not getattr(request.config.option, "loadgroup", False):
        if os.environ.get("CI") == "true":  # CI runs the suite as pyproject's addopts say
            pytest.fail("CI must run the suite in pytest-xdist workers with --dist loadgroup")
        pytest.skip("not in pytest-xdist workers with --dist loadgroup")
    # pytest-xdist 3.8 groups the tests by a suffix it adds to their ids (pytest-xdist issue 1386).
    assert request.node.nodeid.endswith("@test_workers"), (
        "pytest-xdist ignores the xdist_group marks with this pytest (pytest 9.2 does not let it change "
        "the test ids, pytest-xdist issue 1386): install the pytest that requirements.txt pins"
    )
