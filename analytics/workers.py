"""Work spread over the machine's cores, handed back in order to the one process that writes.

Enrichment is pure Python, so threads share one core; :func:`in_order` runs it in worker processes
instead. The store is written only by the process that calls it: it receives each job's result in
the order the jobs were given and commits it, while the workers go on with the next jobs. At most
``ahead`` jobs per worker are handed out before their results are taken, so memory stays flat
however long the input.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from analytics.errors import InputError

Job = TypeVar("Job")
Result = TypeVar("Result")


def default_workers() -> int:
    """One worker per core."""
    return os.cpu_count() or 1


def check_workers(workers: int) -> int:
    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    return workers


def start_method() -> str:
    """How worker processes start here: ``fork`` where it is safe, else ``spawn``.

    A forked worker starts with this process's modules already imported, about 0.3 s of one core
    less per worker than a spawned one, which imports them again: on 2 cores that is the
    difference between 1.7x and 2x for a 10,000-article ``bilat enrich``. Forking is safe only for
    a process with one thread and no event loop (a pull runs both): a lock another thread holds
    would stay locked in the child, and a loop's signal wake-up would be shared with it. The store's
    SQLite connection is copied into the child but never used there (workers only compute), and a
    worker ends without closing it. Other systems than Linux always spawn (macOS's own libraries
    do not survive a fork).
    """
    if sys.platform != "linux" or threading.active_count() > 1:
        return "spawn"
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return "fork"
    return "spawn"


def process_pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` worker processes, started as :func:`start_method` says."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(start_method()))


def in_order(
    work: Callable[[Job], Result], jobs: Iterable[Job], *, workers: int, ahead: int = 2
) -> Iterator[tuple[Job, Result]]:
    """Each job with ``work(job)``, in the order of ``jobs``.

    With one worker everything runs here. With more, ``work`` (a module-level function, as
    processes receive it by name) runs in that many spawned processes; each builds what ``work``
    needs (lexicons, automata) once. A job that raises raises here, when its turn comes; the jobs
    handed out after it are cancelled when the caller stops.
    """
    check_workers(workers)
    if workers == 1:
        for job in jobs:
            yield job, work(job)
        return
    with process_pool(workers) as pool:
        pending: deque = deque()
        try:
            for job in jobs:
                pending.append((job, pool.submit(work, job)))
                if len(pending) >= ahead * workers:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
        finally:
            for _, future in pending:
                future.cancel()
