"""The ordered worker pool (analytics.workers): order, errors, and how its processes start."""

from __future__ import annotations

import asyncio
import math
import sys

import pytest

from analytics import workers
from analytics.errors import InputError


@pytest.mark.parametrize("count", [1, 2])
def test_results_come_back_in_the_order_of_the_jobs(count):
    jobs = [30, 1, 25, 2, 20, 3, 15, 4, 10, 5]
    # Large factorials first: a worker finishes a later, smaller job before an earlier one.
    got = list(workers.in_order(math.factorial, iter(jobs), workers=count, ahead=3))
    assert got == [(job, math.factorial(job)) for job in jobs]


def test_a_failing_job_raises_when_its_turn_comes():
    seen = []
    with pytest.raises(ValueError, match="math domain error"):
        for job, root in workers.in_order(math.sqrt, [4.0, 9.0, -1.0, 16.0], workers=2):
            seen.append((job, root))
    assert seen == [(4.0, 2.0), (9.0, 3.0)]


def test_zero_workers_is_refused_with_the_flag_named():
    with pytest.raises(InputError, match="--workers must be at least 1, got 0"):
        list(workers.in_order(math.factorial, [1], workers=0))


@pytest.mark.skipif(sys.platform != "linux", reason="other systems always spawn")
def test_only_a_single_threaded_process_without_an_event_loop_forks(monkeypatch):
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)
    assert workers.start_method() == "fork"

    async def inside_a_loop():
        return workers.start_method()

    assert asyncio.run(inside_a_loop()) == "spawn"  # a pull
    monkeypatch.setattr(workers.threading, "active_count", lambda: 2)
    assert workers.start_method() == "spawn"


def test_other_systems_spawn(monkeypatch):
    monkeypatch.setattr(workers.sys, "platform", "darwin")
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)
    assert workers.start_method() == "spawn"
