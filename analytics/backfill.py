"""Backfills: re-enrich stored articles in resumable batches, here or on a Dask cluster.

``bilat enrich`` re-enriches the articles whose enrichment version is not the current one (every
article with ``--rebuild``). The articles are read from the store in batches of :data:`BATCH`, in
row-number order; each batch is enriched, and this process alone writes it back, one transaction
per batch. Enrichment runs in local processes (``--workers N``) or, with ``--scheduler
tcp://HOST:8786``, on the workers of a running Dask cluster.

For the operator of a cluster:

- The workers only compute. They get a batch of rows (row number, title, text, declared language)
  and send back what the store keeps of each article (:class:`~analytics.store.EnrichmentRow`, a
  few hundred bytes). They never open the store, need no access to it, and need no disk of ours.
- Every worker must run this project installed with the ``cluster`` extra, at the same version and
  with the same ``data/`` lexicon, gazetteer and settings files as the machine that runs ``bilat
  enrich``: the enrichment version (``<rules>-<hash of the data files>``) of every worker is
  compared with ours before any work is sent, and a cluster with another version is refused, naming
  both. Every batch that comes back is checked again, so a worker that joins later with other files
  cannot slip results in either.
- At most two batches per worker thread are in flight (re-counted as workers come and go), so the
  memory of this process and of the scheduler stays flat however many articles are stored.
- A worker that dies (killed, out of memory, machine lost) loses only the batches it held: the
  scheduler hands them to the other workers and this process stores them when they come back. A
  batch that has killed several workers in a row is reported and the command stops; what was
  stored before stays. With no worker left for :data:`NO_WORKERS_GRACE` seconds the command stops
  too, saying so.
- Batches are stored in the order they were read. An interrupted backfill (Ctrl-C, the process or
  its machine killed, the scheduler lost) keeps every batch it committed, and running the same
  command again continues: a plain backfill because the articles stored already carry the current
  version, and a ``--rebuild`` because it records, after each batch, the last row number it
  committed (the store's ``enrich_rebuild`` meta key, with the version) and starts after it. The
  batch committed in the instant between its transaction and that record is enriched once more on
  resume (rewritten, never doubled). A rebuild interrupted and resumed with other data files starts
  over.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from typing import TYPE_CHECKING

from analytics.enrich import enrich_many, enrichment_version
from analytics.errors import BilatError
from analytics.store import EnrichmentRow, Store
from analytics.workers import in_order

if TYPE_CHECKING:  # distributed loads only for a backfill on a cluster
    from distributed import Client, Future

BATCH = 500  # articles per batch, and per transaction
CONNECT_TIMEOUT = 5.0  # seconds to reach the scheduler
NO_WORKERS_GRACE = 60.0  # seconds without any worker before a cluster backfill gives up
_POLL = 5.0  # seconds between looks at the cluster while a batch is awaited
REBUILD_KEY = "enrich_rebuild"  # meta key: "<version> <last row number committed>" of an unfinished rebuild

Rows = list[tuple[int, str, str, str | None]]
Stored = list[tuple[int, EnrichmentRow]]


class ClusterError(BilatError):
    """The Dask cluster cannot be reached, has the wrong enrichment, or was lost during a backfill."""


def enrich_rows(rows: Rows) -> Stored:
    """A worker's job, on a cluster or in a local process: stored rows ``(n, title, text, declared
    language)`` -> ``(n, EnrichmentRow)``. Only what the store keeps travels back.
    """
    found = enrich_many([(title, text) for _, title, text, _ in rows], languages=[lang for *_, lang in rows])
    return [(row[0], e.to_row()) for row, e in zip(rows, found, strict=True)]


def worker_version() -> str:
    """The enrichment version of the process that runs it (run on every worker)."""
    return enrichment_version()


def rebuild_resume_point(store: Store, version: str) -> int:
    """The last row number an interrupted ``--rebuild`` of ``version`` committed; 0 when there is none."""
    mark = (store.get_meta(REBUILD_KEY) or "").split()
    return int(mark[1]) if len(mark) == 2 and mark[0] == version else 0


def run(
    store: Store, *, version: str, rebuild: bool = False, after: int = 0, workers: int = 1,
    scheduler: str | None = None, progress: Callable[[int], object] = lambda count: None,
) -> int:  # fmt: skip
    """Re-enrich the stale articles of ``store`` (all with ``rebuild``), beyond row number ``after``.

    ``version`` is this process's :func:`~analytics.enrich.enrichment_version`. With ``scheduler``
    the batches go to that Dask cluster, else to ``workers`` local processes. ``progress`` is called
    with the number of articles of each batch stored (or skipped as done). Returns how many articles
    were stored. Nothing is stored when the cluster cannot be used.
    """
    batches = _batches(store, stale_for=None if rebuild else version, after=after, progress=progress)
    mark = version if rebuild else None
    if scheduler is None:
        found = (stored for _, stored in in_order(enrich_rows, batches, workers=workers))
        return _store(store, found, mark=mark, progress=progress)
    with connect(scheduler) as client:
        check_versions(client, version)
        with closing(on_cluster(client, batches, version=version)) as found:
            return _store(store, found, mark=mark, progress=progress)


def _batches(store: Store, *, stale_for: str | None, after: int, progress: Callable[[int], object]) -> Iterator[Rows]:
    if after:  # a resumed rebuild: what it did before counts as done, and is not read again
        progress(store.count_articles(upto=after))
    yield from store.iter_texts(stale_for=stale_for, batch=BATCH, after=after)


def _store(store: Store, found: Iterable[Stored], *, mark: str | None, progress: Callable[[int], object]) -> int:
    """Commit each batch in its own transaction; for a rebuild (``mark``: its version), record how far it got."""
    done = 0
    for rows in found:
        done += store.replace_enrichment(rows)
        if mark:
            store.set_meta(REBUILD_KEY, f"{mark} {rows[-1][0]}")
        progress(len(rows))
    if mark:
        store.set_meta(REBUILD_KEY, "")
    return done


# --- the cluster ------------------------------------------------------------------------------


@contextmanager
def connect(address: str, *, timeout: float = CONNECT_TIMEOUT) -> Iterator[Client]:
    """A Dask client of the scheduler at ``address``, closed on exit; ClusterError when unreachable.

    The scheduler is asked who it is first: a wrong address (nothing listening, a firewall, another
    service on the port) then fails within ``timeout`` with a message, where a failed Client would
    leave a traceback behind.
    """
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("a backfill on a cluster needs Dask: pip install 'bilat[cluster]'") from None
    try:
        kind = asyncio.run(asyncio.wait_for(_identity(address, timeout), timeout)).get("type")
    except (TimeoutError, OSError) as exc:
        raise ClusterError(
            f"cannot reach a Dask scheduler at {address} within {timeout:g} s ({str(exc) or 'no answer'}); "
            "check the address and port (dask scheduler listens on 8786) and that the scheduler is running"
        ) from None
    except ValueError as exc:
        raise ClusterError(f"{address!r} is not a scheduler address ({exc}); write it as tcp://HOST:8786") from None
    except Exception as exc:
        raise ClusterError(
            f"{address} answered, but not as a Dask scheduler does ({type(exc).__name__}: {exc}); "
            "check the address and port"
        ) from None
    if kind != "Scheduler":
        raise ClusterError(f"{address} is a Dask {kind or 'service'}, not a scheduler; give the scheduler's address")
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:
        raise ClusterError(f"cannot connect to the Dask scheduler at {address} ({exc})") from None
    try:
        yield client
    finally:
        client.close()


async def _identity(address: str, timeout: float) -> dict:
    from distributed.comm import connect as open_comm

    comm = await open_comm(address, timeout=timeout)
    try:
        await comm.write({"op": "identity", "reply": True})
        answer = await comm.read()
    finally:
        comm.abort()
    return answer if isinstance(answer, dict) else {}


def check_versions(client: Client, version: str) -> None:
    """Refuse a cluster without workers, or with a worker whose enrichment version is not ``version``."""
    found = client.run(worker_version, on_error="return")
    if not found:
        raise ClusterError(
            f"no worker is connected to the scheduler at {client.scheduler.address}; "
            "start some with: dask worker <scheduler address>"
        )
    for worker, theirs in sorted(found.items()):
        if isinstance(theirs, BaseException):
            raise ClusterError(
                f"worker {worker} cannot run the enrichment ({type(theirs).__name__}: {theirs}); "
                "install this project with its cluster extra on every worker"
            )
        if theirs != version:
            raise ClusterError(_mismatch(f"worker {worker}", theirs, version))


def _mismatch(who: str, theirs: str, ours: str) -> str:
    return (
        f"{who} has enrichment version {theirs}, this process {ours}; install the same bilat version and "
        "data/ files on every worker"
    )


def on_cluster(client: Client, batches: Iterable[Rows], *, version: str) -> Iterator[Stored]:
    """Each batch enriched on the cluster, in the order read, at most two per worker thread in flight."""
    pending: deque[Future] = deque()
    try:
        for rows in batches:
            pending.append(client.submit(enrich_rows, rows, pure=False))
            while len(pending) >= _window(client):
                yield _result(client, pending.popleft(), version)
        while pending:
            yield _result(client, pending.popleft(), version)
    finally:
        # Closing the client releases the futures too; cancelling first frees the workers sooner.
        if pending and client.status == "running":
            client.cancel(list(pending))


def _window(client: Client) -> int:
    return max(2, 2 * sum(client.nthreads().values()))


def _result(client: Client, future: Future, version: str) -> Stored:
    """A batch's result once it is back, checked; ClusterError when the cluster cannot give it."""
    from distributed import CancelledError, KilledWorker

    alone_since = None
    while True:
        try:
            stored = future.result(timeout=_POLL)
            break
        except TimeoutError:
            if client.nthreads():
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > NO_WORKERS_GRACE:
                raise ClusterError(
                    f"no worker left on the scheduler for {NO_WORKERS_GRACE:g} s; start workers and run the "
                    "command again: it continues where it stopped"
                ) from None
        except KilledWorker as exc:
            raise ClusterError(
                f"a batch of articles killed the workers that ran it ({exc}); what was stored before stays"
            ) from None
        except (CancelledError, OSError) as exc:
            raise ClusterError(
                f"lost the Dask scheduler ({type(exc).__name__}: {exc}); run the command again: it continues "
                "where it stopped"
            ) from None
    for _, row in stored:
        if row.version != version:
            raise ClusterError(_mismatch("a worker that joined during the backfill", row.version, version))
    return stored
