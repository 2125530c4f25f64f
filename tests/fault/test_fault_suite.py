"""The standing fault suite: every case of the corpus, pulled next to healthy feeds.

Each batch is one pull (in this process, or a real ``bilat pull`` for the ``process`` batch) of a
sources file that puts the batch's hostile cases next to healthy feeds. For every pull: it does
not crash (exit 0 or 3, no traceback), it keeps its deadline and every healthy source is stored
completely. For every case: what the corpus says bilat must do with it (see ``corpus.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .corpus import CASES, readme_lines
from .harness import PROCESS_SLACK, PULL_SLACK, Batch, case_problems, healthy_problems, run_batch

BATCHES = {
    b.name: b
    for b in (
        Batch("feeds", healthy=3),
        Batch("http", allow_hosts=("localhost",), max_pages=10),
        Batch("links", allow_hosts=("localhost",), healthy=1, healthy_fulltext=True),
        Batch("files", healthy=1),
        Batch("bombs", healthy=0, trace_memory=True),
        Batch("process", allow_hosts=("localhost",), subprocess=True),
    )
}
MEMORY_BOUND = 40 << 20  # bytes a pull of gzip bombs may allocate: four times the 10 MB size cap


@pytest.fixture(scope="module")
def pulls(tmp_path_factory, tally):
    """Each batch's pull, run once on first use: batch name -> (result, served, healthy)."""
    done: dict[str, tuple] = {}

    def get(name: str):
        if name not in done:
            batch = BATCHES[name]
            folder = tmp_path_factory.mktemp(f"fault-{name}")
            done[name] = run_batch(batch, [c for c in CASES if c.batch == name], folder)
            result, _, healthy = done[name]
            if result.crash:
                tally.crashes.add(name)
            for h in healthy:
                if healthy_problems(h, result) and any(u not in {a.url for a in result.articles_of(h.name)}
                                                        for u in h.served.stored):  # fmt: skip
                    tally.healthy_lost.add(h.name)
        return done[name]

    return get


def test_readme_lists_every_case():
    text = (Path(__file__).parent / "README.md").read_text(encoding="utf-8")

    assert [line for line in readme_lines() if line not in text] == []


def test_every_case_has_a_known_batch_and_a_unique_name():
    assert {c.batch for c in CASES} <= set(BATCHES)
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, pulls, tally):
    tally.cases.add(case.name)
    result, served, _ = pulls(case.batch)
    problems = case_problems(case, served[case.name], result)
    if problems:
        tally.failed.add(case.name)
    assert not problems, f"{case.name}: {case.must}\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("name", list(BATCHES))
def test_pull_survives_and_keeps_its_deadline(name, pulls):
    result, _, _ = pulls(name)
    batch = result.batch
    limit = batch.pull_deadline + (PROCESS_SLACK if batch.subprocess else PULL_SLACK)

    assert result.crash is None, f"the {name} pull crashed: {result.crash}"
    assert result.exit_status in (0, 3)
    assert result.wall <= limit, f"the {name} pull took {result.wall:.1f} s; its deadline is {batch.pull_deadline:g} s"
    # Nothing left this machine: no connection but to loopback, no name looked up in DNS.
    outside = [c for c in result.connects if not c[0].startswith(("127.", "::1", "localhost"))]
    assert outside == [] and result.lookups == []


@pytest.mark.parametrize("name", [n for n, b in BATCHES.items() if b.healthy or b.healthy_fulltext])
def test_healthy_sources_next_to_hostile_ones_are_stored_completely(name, pulls):
    result, _, healthy = pulls(name)

    problems = {h.name: p for h in healthy if (p := healthy_problems(h, result))}

    assert healthy
    assert problems == {}, f"healthy sources of the {name} pull not stored completely: {problems}"


def test_gzip_bombs_are_not_inflated_past_the_size_cap(pulls):
    result, _, _ = pulls("bombs")

    assert result.memory_peak is not None
    assert result.memory_peak < MEMORY_BOUND, f"the pull allocated {result.memory_peak >> 20} MiB at its peak"
