"""`BatchStore`: what a batch job needs to survive its process, in one SQLite file (standard library).

A job's model, its requests (each body as the model built it, with its custom id and the vendor
batch it goes into), the vendor batches' ids and states are written here before anything is sent,
and every step after that is recorded as it happens, so a process killed at any point can be
replaced by another that carries on without sending anything twice (`BatchJob.load`).

The file is in WAL mode with a busy timeout: several processes can use one store at once (each
write is a short `BEGIN IMMEDIATE` transaction). A vendor batch is *claimed* by the process
submitting it; a claim whose process died (same host, pid gone) or that is an hour old is taken
over, after looking the vendor batch up first.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..exceptions import UserError
from ._types import RequestCounts

__all__ = ["BatchStore", "ChunkRecord", "JobRecord", "RunRecord", "default_store_path"]

SCHEMA_VERSION = 1
STALE_CLAIM_SECONDS = 3600.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    parent TEXT,
    model TEXT NOT NULL,
    base_url TEXT,
    vendor TEXT NOT NULL,
    state TEXT NOT NULL,
    status TEXT NOT NULL,
    raw_status TEXT NOT NULL DEFAULT '',
    counts TEXT NOT NULL DEFAULT '{}',
    data TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    job_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    size INTEGER NOT NULL,
    nbytes INTEGER NOT NULL,
    state TEXT NOT NULL,
    owner TEXT,
    claimed_at REAL,
    file_id TEXT,
    vendor_id TEXT,
    status TEXT NOT NULL DEFAULT 'validating',
    raw_status TEXT NOT NULL DEFAULT '',
    counts TEXT NOT NULL DEFAULT '{}',
    data TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    PRIMARY KEY (job_id, idx)
);
CREATE TABLE IF NOT EXISTS requests (
    job_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    custom_id TEXT NOT NULL,
    chunk INTEGER NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (job_id, seq)
);
CREATE INDEX IF NOT EXISTS requests_by_chunk ON requests (job_id, chunk, seq);
CREATE UNIQUE INDEX IF NOT EXISTS requests_by_custom_id ON requests (job_id, custom_id);
CREATE TABLE IF NOT EXISTS runs (
    job_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    custom_id TEXT NOT NULL,
    state TEXT NOT NULL,
    history BLOB,
    data TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (job_id, seq)
);
"""


def default_store_path() -> Path:
    """`$WIREAI_BATCH_STORE`, else `$XDG_STATE_HOME/wireai/batches.sqlite` (`~/.local/state` when
    unset; `%LOCALAPPDATA%` on Windows)."""
    explicit = os.environ.get("WIREAI_BATCH_STORE")
    if explicit:
        return Path(explicit).expanduser()
    state = os.environ.get("XDG_STATE_HOME")
    if not state and os.name == "nt":
        state = os.environ.get("LOCALAPPDATA")
    base = Path(state).expanduser() if state else Path.home() / ".local" / "state"
    return base / "wireai" / "batches.sqlite"


@dataclass
class JobRecord:
    """A job as stored. `state` is wireai's own progress (`building` while its requests are being
    written, then `ready`); `status` the job's status in the batch vocabulary as last seen."""

    id: str
    kind: str
    model: str
    vendor: str
    base_url: str | None = None
    parent: str | None = None
    state: str = "building"
    status: str = "validating"
    raw_status: str = ""
    counts: RequestCounts = field(default_factory=RequestCounts)
    data: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass
class ChunkRecord:
    """One vendor batch of a job. `state`: `pending` (nothing sent yet), `submitting` (claimed by
    `owner`; the vendor may or may not have it), `submitted` (`vendor_id` known), `cancelled`
    (cancelled before it was ever sent)."""

    job_id: str
    idx: int
    size: int
    nbytes: int
    state: str = "pending"
    owner: str | None = None
    claimed_at: float | None = None
    file_id: str | None = None
    vendor_id: str | None = None
    status: str = "validating"
    raw_status: str = ""
    counts: RequestCounts = field(default_factory=RequestCounts)
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class RunRecord:
    """One agent run of a batch run: `state` `waiting` (for the model), `done` or `failed`;
    `history` the run's messages as JSON; `data` its counters and outcome."""

    job_id: str
    seq: int
    custom_id: str
    state: str
    history: bytes | None = None
    data: dict[str, Any] = field(default_factory=dict)


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_is_stale(owner: str | None, claimed_at: float | None, now: float) -> bool:
    """Whether a submission claim can be taken over: nobody holds it, its process is gone, or it is old."""
    if not owner:
        return True
    if claimed_at is None:
        return True
    if now - claimed_at > STALE_CLAIM_SECONDS:
        return True
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, owned by someone else
        return False
    return False


class BatchStore:
    """A SQLite file of batch jobs. `BatchStore()` opens the default one, `BatchStore(path)` any
    other, `BatchStore(':memory:')` one that lives as long as the object (what `store=False` uses)."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = ":memory:" if str(path) == ":memory:" else Path(path or default_store_path()).expanduser()
        if isinstance(self.path, Path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                str(self.path), timeout=60.0, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise UserError(f"Cannot open the batch store {self.path}: {exc}") from exc
        self._db.execute("PRAGMA busy_timeout = 60000")
        if isinstance(self.path, Path):
            self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")  # in WAL mode: durable across a killed process
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise UserError(
                    f"The batch store {self.path} was written by a newer wireai (schema {version}); upgrade wireai"
                )
            if version == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def __repr__(self) -> str:
        return f"BatchStore({str(self.path)!r})"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> BatchStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, taken at once (`BEGIN IMMEDIATE`) so two processes never
        deadlock upgrading read locks."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cursor = self._db.execute(sql, tuple(params))
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    # ------------------------------------------------------------------------------------ jobs

    def create_job(self, job: JobRecord) -> None:
        now = time.time()
        job.created_at = job.updated_at = now
        with self._write() as db:
            if db.execute("SELECT 1 FROM jobs WHERE id = ?", (job.id,)).fetchone():
                raise UserError(f"A batch job {job.id!r} is already in {self}; give another job id")
            db.execute(
                "INSERT INTO jobs (id, kind, parent, model, base_url, vendor, state, status, raw_status, counts,"
                " data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (job.id, job.kind, job.parent, job.model, job.base_url, job.vendor, job.state, job.status,
                 job.raw_status, json.dumps(job.counts.as_dict()), json.dumps(job.data), now, now),
            )  # fmt: skip

    def add_requests(self, job_id: str, rows: list[tuple[int, str, int, bytes]]) -> None:
        """(seq, custom_id, chunk, body) rows of a job being built. A custom id the job already has
        is a `UserError` naming it: the store's unique index checks them, so a job of millions of
        requests never holds its custom ids in memory."""
        try:
            with self._write() as db:
                db.executemany(
                    "INSERT INTO requests (job_id, seq, custom_id, chunk, body) VALUES (?, ?, ?, ?, ?)",
                    ((job_id, *row) for row in rows),
                )
        except sqlite3.IntegrityError:
            given = [row[1] for row in rows]
            twice = next((c for i, c in enumerate(given) if c in given[:i]), None)
            if twice is None:
                marks = ",".join("?" * len(given))
                found = self._read(
                    f"SELECT custom_id FROM requests WHERE job_id = ? AND custom_id IN ({marks})",
                    [job_id, *given],
                )
                twice = found[0][0] if found else None
            raise UserError(f"Batch custom_id {twice!r} is given twice; each request needs its own") from None

    def finish_job(self, job_id: str, chunks: Iterable[tuple[int, int]], data: dict[str, Any]) -> None:
        """The job's vendor batches, (requests, bytes) each: from here on the job can be submitted."""
        with self._write() as db:
            db.executemany(
                "INSERT INTO chunks (job_id, idx, size, nbytes, state) VALUES (?, ?, ?, ?, 'pending')",
                ((job_id, idx, size, nbytes) for idx, (size, nbytes) in enumerate(chunks)),
            )
            self._update_job(db, job_id, state="ready", data=data)

    def delete_job(self, job_id: str) -> None:
        """Forget a job entirely (a build that failed validation, so nothing was ever sent)."""
        with self._write() as db:
            for table, key in (
                ("requests", "job_id"),
                ("chunks", "job_id"),
                ("runs", "job_id"),
                ("jobs", "id"),
            ):
                db.execute(f"DELETE FROM {table} WHERE {key} = ?", (job_id,))

    def job(self, job_id: str) -> JobRecord | None:
        rows = self._read("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return _job(rows[0]) if rows else None

    def jobs(self, *, kind: str | None = None, include_children: bool = False) -> list[JobRecord]:
        """Jobs, newest first (an agent run's per-round jobs only with `include_children`)."""
        sql = "SELECT * FROM jobs"
        where, params = [], []
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if not include_children:
            where.append("parent IS NULL")
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [_job(row) for row in self._read(sql + " ORDER BY created_at DESC", params)]

    def update_job(self, job_id: str, **values: Any) -> None:
        with self._write() as db:
            self._update_job(db, job_id, **values)

    def _update_job(self, db: sqlite3.Connection, job_id: str, **values: Any) -> None:
        values["updated_at"] = time.time()
        columns = ", ".join(f"{name} = ?" for name in values)
        db.execute(f"UPDATE jobs SET {columns} WHERE id = ?", (*map(_column, values.values()), job_id))

    # ------------------------------------------------------------------------------------ requests

    def bodies(self, job_id: str, chunk: int) -> Iterator[tuple[str, bytes]]:
        """(custom_id, body) of one vendor batch, in order, read as they are used."""
        last = -1
        while True:  # pages, so no cursor stays open across the caller's awaits
            rows = self._read(
                "SELECT seq, custom_id, body FROM requests WHERE job_id = ? AND chunk = ? AND seq > ?"
                " ORDER BY seq LIMIT 2000",
                (job_id, chunk, last),
            )
            if not rows:
                return
            for row in rows:
                yield row["custom_id"], row["body"]
            last = rows[-1]["seq"]

    def custom_ids(self, job_id: str, chunk: int) -> list[str]:
        """The custom ids of one vendor batch, in the order they were given (read row by row, no
        row objects piling up: a vendor batch may have a million)."""
        with self._lock:
            cursor = self._db.execute(
                "SELECT custom_id FROM requests WHERE job_id = ? AND chunk = ? ORDER BY seq", (job_id, chunk)
            )
            return [custom_id for (custom_id,) in cursor]

    # ------------------------------------------------------------------------------------ chunks

    def chunks(self, job_id: str) -> list[ChunkRecord]:
        return [
            _chunk(row) for row in self._read("SELECT * FROM chunks WHERE job_id = ? ORDER BY idx", (job_id,))
        ]

    def claim(self, job_id: str, idx: int) -> ChunkRecord | None:
        """Take a vendor batch for submission: a pending one, or one whose claim is stale. Returns
        the record as it was (a `submitting` one means: look it up at the vendor first), or None
        when another live process holds it or it is already submitted."""
        now = time.time()
        with self._write() as db:
            cursor = db.execute("SELECT * FROM chunks WHERE job_id = ? AND idx = ?", (job_id, idx))
            cursor.row_factory = sqlite3.Row
            row = cursor.fetchone()
            if row is None:
                return None
            record = _chunk(row)
            if record.state == "submitting" and not claim_is_stale(record.owner, record.claimed_at, now):
                return None
            if record.state not in ("pending", "submitting"):
                return None
            db.execute(
                "UPDATE chunks SET state = 'submitting', owner = ?, claimed_at = ? WHERE job_id = ? AND idx = ?",
                (this_process(), now, job_id, idx),
            )
            return record

    def release(self, job_id: str, idx: int, error: str) -> None:
        """A submission attempt failed: the vendor may have the batch, so it stays `submitting`
        (the next attempt looks it up first, among batches created since `claimed_at`) but unowned."""
        with self._write() as db:
            db.execute(
                "UPDATE chunks SET owner = NULL, error = ? WHERE job_id = ? AND idx = ? AND state = 'submitting'",
                (error, job_id, idx),
            )

    def update_chunk(self, job_id: str, idx: int, **values: Any) -> None:
        with self._write() as db:
            columns = ", ".join(f"{name} = ?" for name in values)
            db.execute(
                f"UPDATE chunks SET {columns} WHERE job_id = ? AND idx = ?",
                (*map(_column, values.values()), job_id, idx),
            )

    def vendor_ids(self, vendor: str) -> set[str]:
        """Every vendor batch id this store knows for a vendor (a lookup must not adopt another job's)."""
        rows = self._read(
            "SELECT c.vendor_id FROM chunks c JOIN jobs j ON j.id = c.job_id WHERE j.vendor = ?"
            " AND c.vendor_id IS NOT NULL",
            (vendor,),
        )
        return {row[0] for row in rows}

    # ------------------------------------------------------------------------------------ agent runs

    def add_runs(self, runs: Iterable[RunRecord]) -> None:
        with self._write() as db:
            db.executemany(
                "INSERT INTO runs (job_id, seq, custom_id, state, history, data) VALUES (?, ?, ?, ?, ?, ?)",
                ((r.job_id, r.seq, r.custom_id, r.state, r.history, json.dumps(r.data)) for r in runs),
            )

    def save_round(
        self, job_id: str, runs: Iterable[RunRecord], data: dict[str, Any], counts: RequestCounts
    ) -> None:
        """Every run's state after a round, and the job's round counter, in one transaction: a crash
        leaves either the round before or this one, never a mix."""
        with self._write() as db:
            db.executemany(
                "UPDATE runs SET state = ?, history = ?, data = ? WHERE job_id = ? AND seq = ?",
                ((r.state, r.history, json.dumps(r.data), job_id, r.seq) for r in runs),
            )
            self._update_job(db, job_id, data=data, counts=counts)

    def runs(self, job_id: str) -> list[RunRecord]:
        rows = self._read("SELECT * FROM runs WHERE job_id = ? ORDER BY seq", (job_id,))
        return [
            RunRecord(
                row["job_id"],
                row["seq"],
                row["custom_id"],
                row["state"],
                row["history"],
                json.loads(row["data"]),
            )
            for row in rows
        ]


def _column(value: Any) -> Any:
    if isinstance(value, RequestCounts):
        return json.dumps(value.as_dict())
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _decoded(cls: type[Any], row: sqlite3.Row) -> dict[str, Any]:
    values = {f.name: row[f.name] for f in fields(cls) if f.name in row.keys()}
    if "counts" in values:
        values["counts"] = RequestCounts.from_dict(json.loads(values["counts"] or "{}"))
    if "data" in values:
        values["data"] = json.loads(values["data"] or "{}")
    return values


def _job(row: sqlite3.Row) -> JobRecord:
    return JobRecord(**_decoded(JobRecord, row))


def _chunk(row: sqlite3.Row) -> ChunkRecord:
    return ChunkRecord(**_decoded(ChunkRecord, row))
