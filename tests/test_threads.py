import os

import pytest

from nextgenre.errors import NextgenreError
from nextgenre.threads import THREADS_ENV, threads


def test_threads_default_to_every_cpu_and_follow_the_environment(monkeypatch):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert threads() == (os.cpu_count() or 1)
    monkeypatch.setenv(THREADS_ENV, " 3 ")
    assert threads() == 3


@pytest.mark.parametrize("value", ["two", "0", "-1", "1.5"])
def test_a_bad_thread_count_is_one_clear_error(monkeypatch, value):
    monkeypatch.setenv(THREADS_ENV, value)
    with pytest.raises(NextgenreError, match=f"NEXTGENRE_THREADS='{value}': expected a positive integer"):
        threads()
