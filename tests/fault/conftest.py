"""The fault suite's tally: cases run, crashed pulls and healthy sources lost, printed at the end
of the run (``fault suite: 92 cases, 0 crashes, 0 healthy sources lost``) so CI's log shows it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest


@dataclass
class Tally:
    cases: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)  # cases whose demands were not met
    crashes: set[str] = field(default_factory=set)  # pulls (batches) that crashed
    healthy_lost: set[str] = field(default_factory=set)  # healthy sources not stored completely


TALLY = pytest.StashKey[Tally]()


@pytest.fixture(scope="session")
def tally(request: pytest.FixtureRequest) -> Tally:
    """The session's tally, kept in the config stash for the terminal summary."""
    return request.config.stash.setdefault(TALLY, Tally())


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    found = config.stash.get(TALLY, None)
    if found is None or not found.cases:
        return
    terminalreporter.write_line(
        f"fault suite: {len(found.cases)} cases, {len(found.crashes)} crashes, "
        f"{len(found.healthy_lost)} healthy sources lost"
    )
    if found.failed:
        names = ", ".join(sorted(found.failed))
        terminalreporter.write_line(f"fault suite: {len(found.failed)} cases not met: {names}")
    if found.crashes:
        terminalreporter.write_line(f"fault suite: crashed pulls: {', '.join(sorted(found.crashes))}")
