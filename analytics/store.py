"""The store of record: one SQLite file in WAL mode.

All SQL of the project lives in this module. Other modules hand it records and get frames back,
so a server database can replace SQLite later without touching the analytics or the pages.

WAL mode lets a pull write while the dashboard reads (measured: 25/25 concurrent runs clean).
Every write is one transaction: a pull killed half-way leaves either all or none of a batch.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from analytics import wire
from analytics.errors import StoreError
from analytics.schema import THEMES

if TYPE_CHECKING:  # pandas loads only for the reads that return frames: commands start faster
    import pandas as pd

SCHEMA_VERSION = 8
DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "bilat.sqlite"

# Forward migrations: index i takes a store from version i to version i + 1.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE articles (
        n INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        published TEXT NOT NULL,
        outlet TEXT NOT NULL,
        source_country TEXT,
        declared_language TEXT,
        source_id TEXT,
        cluster_id TEXT,
        seen_at TEXT NOT NULL,
        is_demo INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX articles_published ON articles(published);
    CREATE TABLE enrichment (
        n INTEGER PRIMARY KEY REFERENCES articles(n) ON DELETE CASCADE,
        version TEXT NOT NULL,
        language TEXT,
        sentiment REAL,
        sentences INTEGER NOT NULL,
        theme_mask INTEGER NOT NULL,
        enriched_at TEXT NOT NULL
    );
    CREATE TABLE article_countries (
        n INTEGER NOT NULL REFERENCES articles(n) ON DELETE CASCADE,
        code TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        weight REAL NOT NULL,
        matched TEXT NOT NULL,
        PRIMARY KEY (n, code)
    ) WITHOUT ROWID;
    CREATE TABLE article_dyads (
        n INTEGER NOT NULL REFERENCES articles(n) ON DELETE CASCADE,
        dyad TEXT NOT NULL,
        PRIMARY KEY (n, dyad)
    ) WITHOUT ROWID;
    CREATE INDEX article_dyads_dyad ON article_dyads(dyad);
    CREATE TABLE article_themes (
        n INTEGER NOT NULL REFERENCES articles(n) ON DELETE CASCADE,
        theme TEXT NOT NULL,
        score REAL NOT NULL,
        terms TEXT NOT NULL,
        PRIMARY KEY (n, theme)
    ) WITHOUT ROWID;
    CREATE TABLE pull_runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        articles_seen INTEGER NOT NULL DEFAULT 0,
        articles_new INTEGER NOT NULL DEFAULT 0,
        message TEXT
    );
    """,
    # 2: pulls from real sources: date trust flags, wire-copy keys, per-source state and runs.
    """
    ALTER TABLE articles ADD COLUMN date_flag TEXT NOT NULL DEFAULT 'ok';
    ALTER TABLE articles ADD COLUMN title_key TEXT;
    CREATE INDEX articles_title_key ON articles(title_key);
    CREATE TABLE source_state (
        source_id TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        last_attempt TEXT,
        last_success TEXT,
        last_error TEXT,
        last_error_at TEXT
    );
    CREATE TABLE source_runs (
        run_id INTEGER NOT NULL REFERENCES pull_runs(id),
        source_id TEXT NOT NULL,
        status TEXT NOT NULL,
        http_status INTEGER,
        items_seen INTEGER NOT NULL DEFAULT 0,
        items_new INTEGER NOT NULL DEFAULT 0,
        duration REAL NOT NULL DEFAULT 0,
        error TEXT,
        PRIMARY KEY (run_id, source_id)
    );
    """,
    # 3: relation tone, the tone of the sentences about the pair, next to the article's tone.
    """
    ALTER TABLE article_dyads ADD COLUMN relation_tone REAL;
    """,
    # 4: every analysis read asks whether demo and real articles are both stored (see
    # Store.hides_demo), which without an index is a scan of every article; and what a source's
    # run left out and why (skipped items, refused links, cut texts), a line each.
    """
    CREATE INDEX articles_is_demo ON articles(is_demo);
    ALTER TABLE source_runs ADD COLUMN notes TEXT;
    """,
    # 5: the analysis dataset marks each wire copy with the day of the copy before it, which
    # needs every copy of a month's stories, wherever they were published.
    """
    CREATE INDEX articles_cluster ON articles(cluster_id);
    """,
    # 6: the dashboard reads how many articles carry each enrichment version whenever the store
    # changes; with an index that is a walk of the index, not of the enrichment table (1M: 1.2 s).
    """
    CREATE INDEX enrichment_version ON enrichment(version);
    """,
    # 7: article search (analytics.search): a full-text index of titles and texts, accent- and
    # case-blind, kept in step with the articles by triggers, so every writer (pulls, imports,
    # the demo, deletes) keeps it right; 'rebuild' indexes the articles already stored.
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
        title, text, content = 'articles', content_rowid = 'n',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER IF NOT EXISTS articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.n, new.title, new.text);
    END;
    CREATE TRIGGER IF NOT EXISTS articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.n, old.title, old.text);
    END;
    CREATE TRIGGER IF NOT EXISTS articles_fts_update AFTER UPDATE OF n, title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.n, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.n, new.title, new.text);
    END;
    INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
    """,
    # 8: alerts (analytics.alerts): the episodes each rule fired on, so that a spike alerts once
    # while it lasts, and the outbox of their deliveries, retried until sent or given up.
    """
    CREATE TABLE IF NOT EXISTS alert_episodes (
        id INTEGER PRIMARY KEY,
        rule_id TEXT NOT NULL,
        signature TEXT NOT NULL,
        started TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        closed_at TEXT,
        summary TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS alert_episodes_rule ON alert_episodes(rule_id, closed_at);
    CREATE TABLE IF NOT EXISTS alert_deliveries (
        id INTEGER PRIMARY KEY,
        episode_id INTEGER NOT NULL REFERENCES alert_episodes(id) ON DELETE CASCADE,
        channel TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        last_attempt_at TEXT,
        sent_at TEXT
    );
    CREATE INDEX IF NOT EXISTS alert_deliveries_status ON alert_deliveries(status);
    """,
)

# The tables that make a SQLite file a bilat store (from the first migration on).
_OWN_TABLES = frozenset({"meta", "articles"})
# Tables a later version adds that writes cannot do without (the search index's triggers write to
# it on every insert), by the version that adds them.
_TABLES_SINCE = {7: frozenset({"articles_fts"})}


def _statements(script: str) -> Iterator[str]:
    """The statements of a migration script, in order.

    A trigger's body holds ";" inside BEGIN ... END, so a piece ending in ";" is joined to the
    next until SQLite deems the statement complete.
    """
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""
    if pending.strip(" \n;"):
        yield pending


def article_id(canonical_url: str) -> str:
    """The stable id of an article: the first 20 hex digits of the SHA-256 of its canonical URL."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:20]


def default_db_path() -> Path:
    """``BILAT_DB`` when set, else ``data/bilat.sqlite`` in the checkout."""
    env = os.environ.get("BILAT_DB")
    return Path(env) if env else DEFAULT_DB


def _month_bounds(month: str) -> tuple[str, str]:
    """The first instant of ``month`` (``YYYY-MM``) and of the month after, as stored text compares them."""
    year, mon = int(month[:4]), int(month[5:7])
    return month, f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pandas_database_error(exc: BaseException) -> bool:
    """Whether ``exc`` is pandas' wrapper of a database error (pandas cannot have raised it unless loaded)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(exc, pandas.errors.DatabaseError)


def store_error(exc: BaseException, path: Path) -> StoreError | None:
    """The one-line error a user can act on for a SQLite failure on the store at ``path``.

    None for errors that point at a bug in bilat (a broken constraint, a misused API): those keep
    their traceback. pandas wraps SQLite's errors in its own; the SQLite one is read from the cause.
    """
    if _pandas_database_error(exc) and isinstance(exc.__cause__, sqlite3.Error):
        exc = exc.__cause__
    if not isinstance(exc, sqlite3.Error):
        return None
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF  # the primary result code
    if code == sqlite3.SQLITE_FULL:
        return StoreError(f"the disk holding {path} is full: free disk space, then run the command again")
    if code == sqlite3.SQLITE_IOERR:
        return StoreError(f"disk I/O error on {path}: check the disk and its free space, then run the command again")
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StoreError(
            f"{path} stayed locked by another process for 30 s: "
            "try again when the other pull, import or enrich has finished"
        )
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StoreError(f"{path} is damaged or not a SQLite file: restore it from a backup, or choose another --db")
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN):
        return StoreError(f"cannot open or write {path}: check the permissions of the file and its folder")
    if type(exc) in (sqlite3.OperationalError, sqlite3.DatabaseError):
        return StoreError(f"{path} could not be read or written ({exc}); check that it is a bilat store")
    return None


def _guarded(method):
    """Raise SQLite failures of a store method as :func:`store_error` says."""

    @functools.wraps(method)
    def guarded(self: Store, *args, **kwargs):
        with self._errors():
            return method(self, *args, **kwargs)

    return guarded


@dataclass(frozen=True)
class ArticleRecord:
    """An article as a source delivers it, before enrichment."""

    url: str
    title: str
    text: str
    published: datetime
    outlet: str
    source_country: str | None = None
    declared_language: str | None = None
    source_id: str | None = None
    is_demo: bool = False
    # How far to trust ``published``: ok, missing or unparsable (the time seen was used), or
    # future (a date ahead of the time seen, clamped to it).
    date_flag: str = "ok"

    @property
    def id(self) -> str:
        return article_id(self.url)


@dataclass(frozen=True)
class EnrichmentRow:
    """What enrichment found in one article, ready to store."""

    version: str
    language: str | None
    sentiment: float | None
    sentences: int
    countries: tuple[tuple[str, int, float, tuple[str, ...]], ...]  # code, mentions, weight, texts
    dyads: tuple[str, ...]
    themes: tuple[tuple[str, float, tuple[str, ...]], ...]  # theme, score, terms
    relation_tones: tuple[float | None, ...] = ()  # per dyad, in the order of ``dyads``

    @property
    def theme_mask(self) -> int:
        mask = 0
        for theme, _score, _terms in self.themes:
            mask |= 1 << THEMES.index(theme)
        return mask


@dataclass(frozen=True)
class SourceRun:
    """What one source did in one pull, as the store records it."""

    source_id: str
    status: str  # ok | not_modified | failed
    http_status: int | None = None
    seen: int = 0
    duration: float = 0.0
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    notes: tuple[str, ...] = ()  # items left out and links refused, with the reason, one each


_OPEN_ATTEMPTS = 8  # about 1.4 s of waiting in all
# The matched texts and terms, as JSON arrays: one encoder for all (json.dumps with options builds one per call).
_json_list = json.JSONEncoder(ensure_ascii=False).encode


class Store:
    """A connection to one store file. Use as a context manager or call :meth:`close`.

    With ``create=False`` the file must exist already: commands that only read use it, so a
    mistyped ``--db`` is reported instead of leaving an empty store behind. SQLite failures a user
    can act on (full disk, damaged file, lock held too long) are raised as one-line StoreErrors.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, create: bool = True) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder; --db needs a file path such as data/bilat.sqlite")
        if not self.path.parent.exists():
            raise StoreError(f"folder {self.path.parent} does not exist; create it or choose another --db")
        if not create and not self.path.exists():
            raise StoreError(f"no store at {self.path}; check --db, or run bilat demo, pull or import to create one")
        with self._errors():
            self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            with self._errors():
                self._set_up()
        except BaseException:
            self.conn.close()
            raise

    def _set_up(self) -> None:
        # Switching a new file to WAL and creating the schema need the write lock, and SQLite
        # answers "database is locked" at once, without its busy wait, when several processes open
        # one new file together (seen 1 run in 12 with five processes). Those few are retried,
        # briefly and a bounded number of times; a lock truly held longer still reaches the user.
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
                self.conn.execute("PRAGMA foreign_keys=ON")
                self._migrate()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == _OPEN_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            if not (isinstance(exc, sqlite3.Error) or _pandas_database_error(exc)):
                raise
            error = store_error(exc, self.path)
            if error is None:
                raise
            raise error from exc

    def _rollback(self) -> None:
        # SQLite rolls back on its own after some failures (a full disk, an I/O error); rolling
        # back again would hide the real error behind "no transaction is active".
        if self.conn.in_transaction:
            with suppress(sqlite3.Error):  # the first failure is the one worth reporting
                self.conn.execute("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; it is rolled back whole if anything inside fails."""
        with self._errors():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute(
                    "INSERT INTO meta(key, value) VALUES('data_version', '1') ON CONFLICT(key) "
                    "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
                )
                self.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    # --- schema -----------------------------------------------------------------------------

    @_guarded
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _checked_version(self) -> int:
        """The schema version, once the file is known to be a bilat store this program can read."""
        # One statement, so that the version and the tables come from the same snapshot: another
        # process may commit the new schema between two statements.
        version, names = self.conn.execute(
            "SELECT user_version, (SELECT group_concat(name, char(9)) FROM sqlite_master "
            "WHERE type = 'table' AND name NOT LIKE 'sqlite%') FROM pragma_user_version"
        ).fetchone()
        tables = set(names.split("\t")) if names else set()
        if (tables and version == 0) or (version > 0 and not tables >= _OWN_TABLES):
            listed = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            raise StoreError(
                f"{self.path} is a SQLite file but not a bilat store (tables: {listed or 'none'}); choose another --db"
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this program's {SCHEMA_VERSION}; upgrade bilat"
            )
        missing = sorted(name for since, names in _TABLES_SINCE.items() if version >= since for name in names - tables)
        if missing:
            raise StoreError(
                f"{self.path} is a bilat store without its {', '.join(missing)} table; restore it from a backup"
            )
        return version

    def _migrate(self) -> None:
        if self._checked_version() == SCHEMA_VERSION:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            # Read again under the write lock: another process may have upgraded the store since.
            current = self._checked_version()
            for version in range(current, SCHEMA_VERSION):
                # executescript would commit on its own; run statements one by one instead.
                for statement in _statements(_MIGRATIONS[version]):
                    self.conn.execute(statement)
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    # --- meta -------------------------------------------------------------------------------

    @_guarded
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    @_guarded
    def data_version(self) -> int:
        """A number that grows with every committed write: the dashboard's cache key."""
        return int(self.get_meta("data_version", "0") or 0)

    # --- writes -----------------------------------------------------------------------------

    @_guarded
    def add_articles(
        self, items: Iterable[tuple[ArticleRecord, EnrichmentRow]], *, conn: sqlite3.Connection | None = None
    ) -> int:
        """Store new articles with their enrichment; articles already stored are skipped.

        Call inside :meth:`transaction` (pass its connection) to make a batch atomic with other
        writes; without one, the batch gets a transaction of its own. Returns how many were new.
        """
        if conn is None:
            with self.transaction() as tx:
                return self.add_articles(items, conn=tx)
        seen_at = _now()
        added: list[tuple[int, EnrichmentRow]] = []
        for record, enrichment in items:
            key = wire.title_key(record.title)
            cur = conn.execute(
                "INSERT OR IGNORE INTO articles(id, url, title, text, published, outlet, "
                "source_country, declared_language, source_id, cluster_id, seen_at, is_demo, "
                "date_flag, title_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.url,
                    record.title,
                    record.text,
                    _iso(record.published),
                    record.outlet,
                    record.source_country,
                    record.declared_language,
                    record.source_id,
                    self._cluster_of(conn, record, key),
                    seen_at,
                    int(record.is_demo),
                    record.date_flag,
                    key,
                ),
            )
            if cur.rowcount:
                added.append((int(cur.lastrowid), enrichment))
        self._write_enrichment(conn, added)
        return len(added)

    def _cluster_of(self, conn: sqlite3.Connection, record: ArticleRecord, key: str | None) -> str:
        """The cluster of an earlier copy of this story, or the article's own id."""
        if key is None:
            return record.id
        low = _iso(record.published - wire.WINDOW)
        high = _iso(record.published + wire.WINDOW)
        rows = conn.execute(
            "SELECT cluster_id, text FROM articles WHERE title_key = ? AND published BETWEEN ? AND ? "
            "AND id != ? ORDER BY n LIMIT 20",
            (key, low, high, record.id),
        ).fetchall()
        for cluster_id, text in rows:
            if wire.same_story(record.text, text):
                return cluster_id
        return record.id

    def _write_enrichment(self, conn: sqlite3.Connection, rows: list[tuple[int, EnrichmentRow]]) -> None:
        """Write the enrichment of the articles ``rows`` names (row number, enrichment), replacing
        what they had: one statement per table for the whole batch, not per article."""
        if not rows:
            return
        rows = list(dict(rows).items())  # a row number given twice keeps its last enrichment, as before
        now = _now()
        conn.executemany(
            "INSERT OR REPLACE INTO enrichment(n, version, language, sentiment, sentences, "
            "theme_mask, enriched_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(n, e.version, e.language, e.sentiment, e.sentences, e.theme_mask, now) for n, e in rows],
        )
        ns = [(n,) for n, _ in rows]
        for table in ("article_countries", "article_dyads", "article_themes"):
            conn.executemany(f"DELETE FROM {table} WHERE n = ?", ns)
        conn.executemany(
            "INSERT INTO article_countries(n, code, mentions, weight, matched) VALUES (?, ?, ?, ?, ?)",
            [(n, code, m, w, _json_list(list(texts)))
             for n, e in rows for code, m, w, texts in e.countries],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO article_dyads(n, dyad, relation_tone) VALUES (?, ?, ?)",
            [(n, d, t) for n, e in rows
             for d, t in zip(e.dyads, e.relation_tones or (None,) * len(e.dyads), strict=True)],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO article_themes(n, theme, score, terms) VALUES (?, ?, ?, ?)",
            [(n, t, sc, _json_list(list(terms))) for n, e in rows for t, sc, terms in e.themes],
        )

    @_guarded
    def replace_enrichment(self, rows: Iterable[tuple[int, EnrichmentRow]]) -> int:
        """Overwrite the enrichment of stored articles (by row number) in one transaction."""
        rows = list(rows)
        with self.transaction() as tx:
            self._write_enrichment(tx, rows)
        return len(rows)

    @_guarded
    def set_meta(self, key: str, value: str, *, conn: sqlite3.Connection | None = None) -> None:
        (conn or self.conn).execute(
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- pull runs ----------------------------------------------------------------------------

    @_guarded
    def start_run(self, kind: str) -> int:
        """Record the start of a pull; runs left "running" by a killed pull become "interrupted"."""
        with self.transaction() as tx:
            tx.execute("UPDATE pull_runs SET status = 'interrupted' WHERE status = 'running'")
            cur = tx.execute("INSERT INTO pull_runs(kind, started_at, status) VALUES (?, ?, 'running')", (kind, _now()))
            return int(cur.lastrowid)

    @_guarded
    def finish_run(self, run_id: int, status: str, seen: int, new: int, message: str = "") -> None:
        with self.transaction() as tx:
            tx.execute(
                "UPDATE pull_runs SET finished_at = ?, status = ?, articles_seen = ?, articles_new = ?, "
                "message = ? WHERE id = ?",
                (_now(), status, seen, new, message, run_id),
            )

    @_guarded
    def get_source_state(self, source_id: str) -> dict[str, str | None]:
        """The conditional-request validators and health of a source (empty values when new)."""
        row = self.conn.execute(
            "SELECT etag, last_modified, last_success, last_error FROM source_state WHERE source_id = ?",
            (source_id,),
        ).fetchone()
        keys = ("etag", "last_modified", "last_success", "last_error")
        return dict(zip(keys, row or (None,) * 4, strict=True))

    @_guarded
    def record_source(
        self,
        run_id: int,
        outcome: SourceRun,
        items: Iterable[tuple[ArticleRecord, EnrichmentRow]],
        *,
        new_before: int = 0,
    ) -> int:
        """Store a source's new articles, its run row and its state in one transaction.

        A pull killed before this commits leaves nothing of the source; after, all of it.
        Returns how many articles were new. A source stored in batches (``bilat import``) passes
        in ``new_before`` how many its earlier batches added, so the run row holds the total.
        """
        now = _now()
        with self.transaction() as tx:
            new = self.add_articles(items, conn=tx)
            tx.execute(
                "INSERT OR REPLACE INTO source_runs(run_id, source_id, status, http_status, items_seen, "
                "items_new, duration, error, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, outcome.source_id, outcome.status, outcome.http_status, outcome.seen, new_before + new,
                 outcome.duration, outcome.error, "\n".join(outcome.notes) or None),
            )  # fmt: skip
            failed = outcome.status == "failed"
            tx.execute(
                "INSERT INTO source_state(source_id, etag, last_modified, last_attempt, last_success, "
                "last_error, last_error_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source_id) DO UPDATE SET "
                "etag = COALESCE(excluded.etag, etag), "
                "last_modified = COALESCE(excluded.last_modified, last_modified), "
                "last_attempt = excluded.last_attempt, last_success = COALESCE(excluded.last_success, last_success), "
                "last_error = COALESCE(excluded.last_error, last_error), "
                "last_error_at = COALESCE(excluded.last_error_at, last_error_at)",
                (outcome.source_id, outcome.etag, outcome.last_modified, now, None if failed else now,
                 outcome.error if failed else None, now if failed else None),
            )  # fmt: skip
        return new

        # --- reads ------------------------------------------------------------------------------

    @_guarded
    def last_runs(self, limit: int = 20) -> pd.DataFrame:
        """The latest pull runs, newest first."""
        import pandas as pd

        return pd.read_sql_query(
            "SELECT id, kind, started_at, finished_at, status, articles_seen, articles_new, message "
            "FROM pull_runs ORDER BY id DESC LIMIT ?",
            self.conn,
            params=(limit,),
        )

    @_guarded
    def source_health(self) -> pd.DataFrame:
        """Per source: last attempt, last success, last error, and what the latest run saw."""
        import pandas as pd

        return pd.read_sql_query(
            "SELECT s.source_id, s.last_attempt, s.last_success, s.last_error, s.last_error_at, "
            "r.status AS last_status, r.http_status, r.items_seen, r.items_new, r.duration, r.notes "
            "FROM source_state s LEFT JOIN source_runs r ON r.source_id = s.source_id AND r.run_id = "
            "(SELECT MAX(run_id) FROM source_runs WHERE source_id = s.source_id) ORDER BY s.source_id",
            self.conn,
        )

    @_guarded
    def last_success(self) -> str | None:
        """When a pull last finished with at least one source fetched, as ISO UTC text."""
        row = self.conn.execute("SELECT MAX(finished_at) FROM pull_runs WHERE status IN ('ok', 'partial')").fetchone()
        return row[0] if row else None

    @_guarded
    def count_articles(self, *, upto: int | None = None) -> int:
        """How many articles are stored (with ``upto``, how many have a row number no larger)."""
        if upto is None:
            return int(self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
        return int(self.conn.execute("SELECT COUNT(*) FROM articles WHERE n <= ?", (upto,)).fetchone()[0])

    @_guarded
    def has_demo_data(self) -> bool:
        """Whether any demo article is stored (the dashboard may still hide them: see :meth:`hides_demo`)."""
        return self.conn.execute("SELECT 1 FROM articles WHERE is_demo = 1 LIMIT 1").fetchone() is not None

    @_guarded
    def holdings(self) -> tuple[int, int]:
        """How many real (pulled or imported) and how many demo articles are stored."""
        counts = dict(self.conn.execute("SELECT is_demo, COUNT(*) FROM articles GROUP BY is_demo").fetchall())
        return int(counts.get(0, 0)), int(counts.get(1, 0))

    @_guarded
    def hides_demo(self) -> bool:
        """Whether the analysis reads leave the demo articles out.

        They do when real articles are stored next to them (a pull or import with ``--force``, or
        an older bilat), so no figure mixes invented coverage with collected coverage. The reads
        that follow this: :meth:`load_frames`, :meth:`article_rows`, :meth:`search_articles` and
        :meth:`article`.
        """
        row = self.conn.execute(
            "SELECT EXISTS(SELECT 1 FROM articles WHERE is_demo = 0) "
            "AND EXISTS(SELECT 1 FROM articles WHERE is_demo = 1)"
        ).fetchone()
        return bool(row[0])

    @_guarded
    def enrichment_versions(self) -> dict[str, int]:
        """How many articles carry each enrichment version."""
        rows = self.conn.execute("SELECT version, COUNT(*) FROM enrichment GROUP BY version ORDER BY 2 DESC")
        return {v: int(c) for v, c in rows}

    @_guarded
    def count_stale(self, version: str) -> int:
        """Articles without enrichment, or enriched by another version than ``version``."""
        return int(
            self.conn.execute(
                "SELECT COUNT(*) FROM articles a LEFT JOIN enrichment e USING (n) "
                "WHERE e.version IS NULL OR e.version != ?",
                (version,),
            ).fetchone()[0]
        )

    @_guarded
    def known_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of these article ids are stored already."""
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = list(ids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk))
        return found

    def iter_texts(
        self, *, stale_for: str | None = None, batch: int = 2000, after: int = 0
    ) -> Iterator[list[tuple[int, str, str, str | None]]]:
        """Stored (row number, title, text, declared language) in batches, for re-enrichment.

        With ``stale_for``, only articles whose enrichment is missing or of another version; with
        ``after``, only articles whose row number is larger (a resumed rebuild).
        """
        last = after
        stale = "AND (e.version IS NULL OR e.version != ?)" if stale_for else ""
        while True:
            params: tuple = (last, stale_for, batch) if stale_for else (last, batch)
            with self._errors():
                rows = self.conn.execute(
                    "SELECT a.n, a.title, a.text, a.declared_language FROM articles a LEFT JOIN enrichment e USING (n) "
                    f"WHERE a.n > ? {stale} ORDER BY a.n LIMIT ?",
                    params,
                ).fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    @_guarded
    def load_frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The analysis frames: one row per article, and one row per (article, dyad).

        Demo articles are left out when real ones are stored too (see :meth:`hides_demo`).
        Articles: ``n, published (UTC), day (naive local date, BILAT_TZ), outlet, source_country, language,
        sentiment, theme_mask, cluster_id``; text columns are categoricals. Dyads: ``n, dyad, relation_tone``.
        Titles and texts stay in the store (see :meth:`article_rows`) so a million articles fit in memory comfortably.
        """
        import numpy as np
        import pandas as pd

        from analytics.settings import local_zone

        hide = self.hides_demo()
        cur = self.conn.execute(
            "SELECT a.n, a.published, a.outlet, a.source_country, e.language, e.sentiment, "
            "COALESCE(e.theme_mask, 0), a.cluster_id FROM articles a LEFT JOIN enrichment e USING (n) "
            f"{'WHERE a.is_demo = 0' if hide else ''} ORDER BY a.n"
        )
        rows = cur.fetchall()
        cols = list(zip(*rows, strict=True)) if rows else [()] * 8
        published = pd.to_datetime(pd.Series(cols[1], dtype="object"), utc=True, format="ISO8601")
        articles = pd.DataFrame(
            {
                "n": np.asarray(cols[0], dtype=np.int64),
                "published": published,
                "day": published.dt.tz_convert(local_zone()).dt.tz_localize(None).dt.floor("D"),
                "outlet": pd.Categorical(cols[2]),
                "source_country": pd.Categorical(cols[3]),
                "language": pd.Categorical(cols[4]),
                "sentiment": np.asarray([np.nan if v is None else v for v in cols[5]], dtype=np.float64),
                "theme_mask": np.asarray(cols[6], dtype=np.int32),
                "cluster_id": pd.Categorical(cols[7]),
            }
        )
        drows = self.conn.execute(
            "SELECT n, dyad, relation_tone FROM article_dyads "
            f"{'WHERE n IN (SELECT n FROM articles WHERE is_demo = 0)' if hide else ''}"
        ).fetchall()
        dcols = list(zip(*drows, strict=True)) if drows else [(), (), ()]
        dyads = pd.DataFrame(
            {
                "n": np.asarray(dcols[0], dtype=np.int64),
                "dyad": pd.Categorical(dcols[1]),
                "relation_tone": np.asarray([np.nan if v is None else v for v in dcols[2]], dtype=np.float64),
            }
        )
        return articles, dyads

    @_guarded
    def month_counts(self) -> dict[str, int]:
        """Articles stored per month of publication (``YYYY-MM``, UTC), demo articles included."""
        rows = self.conn.execute(
            "SELECT substr(published, 1, 7), count(*) FROM articles GROUP BY 1 ORDER BY 1"
        ).fetchall()
        return {month: int(count) for month, count in rows}

    @_guarded
    def month_rows(self, month: str) -> tuple[list[tuple], list[tuple], list[tuple]]:
        """The analysis columns of one month (``YYYY-MM``) for :mod:`analytics.dataset`, demo articles included.

        Articles: ``(n, published, outlet, source_country, language, sentiment, theme_mask, cluster_id,
        is_demo)`` ordered by n; dyads: ``(n, dyad, relation_tone)``; copies: ``(n, published,
        cluster_id, is_demo)`` of every article, in any month, sharing a cluster with one of the
        month's. All three read in one snapshot.
        """
        bounds = _month_bounds(month)
        self.conn.execute("BEGIN")
        try:
            articles = self.conn.execute(
                "SELECT a.n, a.published, a.outlet, a.source_country, e.language, e.sentiment, "
                "COALESCE(e.theme_mask, 0), a.cluster_id, a.is_demo FROM articles a LEFT JOIN enrichment e "
                "USING (n) WHERE a.published >= ? AND a.published < ? ORDER BY a.n",
                bounds,
            ).fetchall()
            dyads = self.conn.execute(
                "SELECT d.n, d.dyad, d.relation_tone FROM article_dyads d JOIN articles a USING (n) "
                "WHERE a.published >= ? AND a.published < ? ORDER BY d.n, d.dyad",
                bounds,
            ).fetchall()
            copies = self.conn.execute(
                "SELECT n, published, cluster_id, is_demo FROM articles WHERE cluster_id IN "
                "(SELECT cluster_id FROM articles WHERE published >= ? AND published < ? AND cluster_id IS NOT NULL)",
                bounds,
            ).fetchall()
        finally:
            self.conn.execute("COMMIT")
        return articles, dyads, copies

    @_guarded
    def months_sharing_stories(self, months: Sequence[str]) -> set[str]:
        """The months (``YYYY-MM``) of every copy of a story that has a copy in one of ``months``."""
        found: set[str] = set()
        for month in months:
            rows = self.conn.execute(
                "SELECT DISTINCT substr(published, 1, 7) FROM articles WHERE cluster_id IN "
                "(SELECT cluster_id FROM articles WHERE published >= ? AND published < ? AND cluster_id IS NOT NULL)",
                _month_bounds(month),
            ).fetchall()
            found.update(row[0] for row in rows)
        return found

    @_guarded
    def article_rows(self, ns: Sequence[int]) -> pd.DataFrame:
        """Table rows for the given row numbers, newest first.

        Columns ``n, id, published, outlet, source_country, title, url, language, tone, themes,
        countries, cluster_id, date_flag``; themes and countries are comma-separated. Demo articles
        hidden by :meth:`hides_demo` are left out.
        """
        import pandas as pd

        columns = ["n", "id", "published", "outlet", "source_country", "title", "url", "language", "tone",
                   "themes", "countries", "cluster_id", "date_flag"]  # fmt: skip
        if not len(ns):
            return pd.DataFrame(columns=columns)
        real_only = "AND a.is_demo = 0" if self.hides_demo() else ""
        frames = []
        for i in range(0, len(ns), 900):  # SQLite's limit on bound parameters
            chunk = [int(n) for n in ns[i : i + 900]]
            marks = ",".join("?" * len(chunk))
            frames.append(
                pd.read_sql_query(
                    "SELECT a.n, a.id, a.published, a.outlet, a.source_country, a.title, a.url, e.language, "
                    "e.sentiment AS tone, "
                    "(SELECT group_concat(theme, ', ') FROM article_themes t WHERE t.n = a.n) AS themes, "
                    "(SELECT group_concat(code, ', ') FROM article_countries c WHERE c.n = a.n) AS countries, "
                    "a.cluster_id, a.date_flag FROM articles a LEFT JOIN enrichment e USING (n) "
                    f"WHERE a.n IN ({marks}) {real_only}",
                    self.conn,
                    params=chunk,
                )
            )
        out = pd.concat(frames, ignore_index=True)
        return out.sort_values(["published", "n"], ascending=False, kind="stable").reset_index(drop=True)[columns]

    # The matches a search returns at most, best first.
    SEARCH_LIMIT = 2000
    # bm25 costs about 10 us a match (measured: 1.0 s for 97,000 matches), so a word found in most
    # of a million articles would take seconds to rank: only the most recently stored matches are
    # ranked, this many.
    RANK_WINDOW = 50_000
    # Title hits weigh more than text hits in the ranking (bm25 weights, in column order).
    _TITLE_WEIGHT, _TEXT_WEIGHT = 5.0, 1.0

    @_guarded
    def search_articles(self, query: str, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
        """The articles that match a search (syntax: :mod:`analytics.search`), best first.

        Columns ``n, snippet``: the snippet is a short excerpt of the title or the text with each hit
        between :data:`analytics.search.HIT_START` and :data:`analytics.search.HIT_END` (raw text:
        escape it before rendering). Ranked by bm25 with title hits above text hits, among the
        :attr:`RANK_WINDOW` most recently stored matches; at most ``limit`` rows; demo articles
        hidden by :meth:`hides_demo` are left out. Raises :class:`InputError` for a search that
        cannot be run.
        """
        import pandas as pd

        from analytics.search import HIT_END, HIT_START, parse_query

        match = parse_query(query).match()
        real_only = "JOIN articles a ON a.n = f.rowid AND a.is_demo = 0" if self.hides_demo() else ""
        best = [n for (n,) in self.conn.execute(
            f"SELECT n FROM (SELECT f.rowid AS n, bm25(articles_fts, ?, ?) AS score FROM articles_fts f {real_only} "
            "WHERE articles_fts MATCH ? ORDER BY f.rowid DESC LIMIT ?) ORDER BY score, n DESC LIMIT ?",
            (self._TITLE_WEIGHT, self._TEXT_WEIGHT, match, self.RANK_WINDOW, int(limit)),
        )]  # fmt: skip
        # Snippets for the best alone, in a second pass over the matches: asked per row number (a
        # join), FTS5 evaluates the whole query again for each (2,000 phrase snippets: 1.2 s, this
        # 0.1 s). The + keeps the row numbers from FTS5, so SQLite checks them against a b-tree.
        snippets = dict(self.conn.execute(
            "SELECT f.rowid, snippet(articles_fts, -1, ?, ?, ' … ', 16) FROM articles_fts f "
            "WHERE articles_fts MATCH ? AND +f.rowid IN (SELECT value FROM json_each(?))",
            (HIT_START, HIT_END, match, json.dumps(best)),
        ).fetchall())  # fmt: skip
        rows = [(n, snippets[n]) for n in best if n in snippets]  # one deleted in between has none
        return pd.DataFrame(rows, columns=["n", "snippet"]).astype({"n": "int64", "snippet": "object"})

    @_guarded
    def article(self, article_id: str) -> dict | None:
        """One stored article with its enrichment version, by id.

        None when unknown, or when it is a demo article hidden by :meth:`hides_demo`.
        """
        row = self.conn.execute(
            "SELECT a.n, a.id, a.url, a.title, a.text, a.published, a.outlet, a.source_country, a.date_flag, "
            "a.cluster_id, e.version, e.language FROM articles a LEFT JOIN enrichment e USING (n) WHERE a.id = ? "
            + ("AND a.is_demo = 0" if self.hides_demo() else ""),
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        keys = ("n", "id", "url", "title", "text", "published", "outlet", "source_country", "date_flag",
                "cluster_id", "version", "language")  # fmt: skip
        return dict(zip(keys, row, strict=True))

    # --- alerts (analytics.alerts): rule episodes and the delivery outbox ---------------------
    # Alert bookkeeping is not coverage data: these writes leave data_version alone, so a check
    # never makes the dashboard's caches or the analysis dataset stale.

    _EPISODE_KEYS = ("id", "rule_id", "signature", "started", "opened_at", "last_seen", "closed_at", "summary")
    _DELIVERY_KEYS = ("id", "episode_id", "rule_id", "channel", "status", "attempts", "last_error", "created_at",
                      "last_attempt_at", "sent_at", "summary")  # fmt: skip

    @contextmanager
    def _alert_writes(self) -> Iterator[sqlite3.Connection]:
        with self._errors():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    @_guarded
    def open_alert_episode(self, rule_id: str) -> dict | None:
        """The episode of ``rule_id`` whose condition held at the last check, or None. Keys
        ``id, rule_id, signature, started, opened_at, last_seen, closed_at, summary``."""
        row = self.conn.execute(
            f"SELECT {', '.join(self._EPISODE_KEYS)} FROM alert_episodes WHERE rule_id = ? AND closed_at IS NULL "
            "ORDER BY id DESC LIMIT 1",
            (rule_id,),
        ).fetchone()
        return None if row is None else dict(zip(self._EPISODE_KEYS, row, strict=True))

    @_guarded
    def start_alert_episode(
        self, rule_id: str, signature: str, started: str, summary: str, channels: Sequence[str], now: str
    ) -> int:
        """Close the rule's open episode, open a new one and queue one delivery per channel, in one
        transaction. Returns the new episode's id."""
        with self._alert_writes() as tx:
            tx.execute(
                "UPDATE alert_episodes SET closed_at = ? WHERE rule_id = ? AND closed_at IS NULL", (now, rule_id)
            )
            episode = tx.execute(
                "INSERT INTO alert_episodes(rule_id, signature, started, opened_at, last_seen, summary) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (rule_id, signature, started, now, now, summary),
            ).lastrowid
            tx.executemany(
                "INSERT INTO alert_deliveries(episode_id, channel, status, created_at) VALUES (?, ?, 'pending', ?)",
                [(episode, channel, now) for channel in channels],
            )
        return int(episode)

    @_guarded
    def keep_alert_episode(self, episode_id: int, now: str) -> None:
        """Note that an open episode's condition still holds at ``now``."""
        with self._alert_writes() as tx:
            tx.execute("UPDATE alert_episodes SET last_seen = ? WHERE id = ?", (now, episode_id))

    @_guarded
    def close_alert_episodes(self, rule_id: str, now: str) -> int:
        """Close the rule's open episode (its condition no longer holds); returns how many closed."""
        with self._alert_writes() as tx:
            return tx.execute(
                "UPDATE alert_episodes SET closed_at = ? WHERE rule_id = ? AND closed_at IS NULL", (now, rule_id)
            ).rowcount

    @_guarded
    def alert_deliveries(self, *, status: str | None = None, rule_id: str | None = None) -> list[dict]:
        """Deliveries, oldest first, with their episode's ``rule_id`` and ``summary``; only those
        with ``status`` (pending, sent, failed) or of ``rule_id`` when given."""
        where, params = [], []
        if status is not None:
            where.append("d.status = ?")
            params.append(status)
        if rule_id is not None:
            where.append("e.rule_id = ?")
            params.append(rule_id)
        rows = self.conn.execute(
            "SELECT d.id, d.episode_id, e.rule_id, d.channel, d.status, d.attempts, d.last_error, d.created_at, "
            "d.last_attempt_at, d.sent_at, e.summary FROM alert_deliveries d JOIN alert_episodes e "
            "ON e.id = d.episode_id" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY d.id",
            params,
        ).fetchall()
        return [dict(zip(self._DELIVERY_KEYS, row, strict=True)) for row in rows]

    @_guarded
    def record_alert_delivery(self, delivery_id: int, *, error: str | None, now: str, max_attempts: int) -> str:
        """Record one attempt of a pending delivery: sent when ``error`` is None, else pending again,
        or failed (given up) once it has had ``max_attempts``. Returns the new status."""
        with self._alert_writes() as tx:
            row = tx.execute("SELECT attempts FROM alert_deliveries WHERE id = ?", (delivery_id,)).fetchone()
            if row is None:
                raise KeyError(f"no alert delivery {delivery_id}")
            attempts = row[0] + 1
            status = "sent" if error is None else ("failed" if attempts >= max_attempts else "pending")
            tx.execute(
                "UPDATE alert_deliveries SET status = ?, attempts = ?, last_error = ?, last_attempt_at = ?, "
                "sent_at = ? WHERE id = ?",
                (status, attempts, error, now, now if error is None else None, delivery_id),
            )
        return status


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"published time {moment!r} has no time zone; give it in UTC")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
