"""A pytest plugin for benchmarks/bench_suite.py: appends one JSON line per test to the file named
by $SUITE_TIMES, with its wall seconds and the CPU seconds (user + sys) of the test process and
of the subprocesses it waited for, setup and teardown included, when it started (Unix time) and in
which pytest-xdist worker. Works under pytest-xdist (each worker appends its own lines)."""

from __future__ import annotations

import json
import os
import resource
import time

import pytest


def cpu_seconds() -> float:
    """User + system CPU of this process and of its children that have been waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cpu, wall, start = cpu_seconds(), time.perf_counter(), time.time()
    yield
    line = {
        "test": item.nodeid,
        "wall": time.perf_counter() - wall,
        "cpu": cpu_seconds() - cpu,
        "start": start,
        "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
    }
    with open(os.environ["SUITE_TIMES"], "a") as out:
        out.write(json.dumps(line) + "\n")
