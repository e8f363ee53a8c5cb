# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checkpoint in one SQLite file (standard library): the default, needs nothing installed.

WAL journal with ``synchronous=NORMAL``: a committed batch survives a kill -9 of the process; a power
loss may take back the last batches, which are then emitted again (at least once, never lost from the
APIC's side). The file and its lock are created mode 0600, directories 0700.

Ownership is an ``flock`` on ``<file>.lock``, which the kernel releases when the process dies however it
dies. The lock is per file, not per key: one file can hold several keys, but only one open store at a
time uses it, so two sources should each have their own file (the default directory gives each key its
own file).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sqlite3
from collections.abc import Iterator

from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint_store import (
    SCHEMA_VERSION,
    CheckpointError,
    CheckpointWriteError,
    Store,
)

FETCH_ROWS = 2000  # rows per fetchmany while streaming a subscription's objects

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS fabricops_aci_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # One row per (key, subscription); objects refer to it by id so the key and name are not repeated in
    # every object row.
    "CREATE TABLE IF NOT EXISTS fabricops_aci_subscriptions ("
    " id INTEGER PRIMARY KEY, key TEXT NOT NULL, name TEXT NOT NULL, fingerprint TEXT NOT NULL,"
    " UNIQUE (key, name))",
    "CREATE TABLE IF NOT EXISTS fabricops_aci_objects ("
    " sub INTEGER NOT NULL, dn TEXT NOT NULL, cls TEXT NOT NULL, attrs TEXT NOT NULL,"
    " PRIMARY KEY (sub, dn)) WITHOUT ROWID",
)

_PUT = (
    "INSERT INTO fabricops_aci_objects (sub, dn, cls, attrs) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (sub, dn) DO UPDATE SET cls = excluded.cls, attrs = excluded.attrs"
)
_MERGE = (
    "INSERT INTO fabricops_aci_objects (sub, dn, cls, attrs) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (sub, dn) DO UPDATE SET cls = excluded.cls,"
    " attrs = json_patch(fabricops_aci_objects.attrs, excluded.attrs)"
)
_DELETE = "DELETE FROM fabricops_aci_objects WHERE sub = ? AND dn = ?"


def _text(attrs: str | bytes) -> str:
    # Bound as TEXT: json_patch reads a BLOB as binary JSON in newer SQLite versions.
    return attrs.decode("utf-8") if isinstance(attrs, (bytes, bytearray)) else attrs


def _reason(exc: BaseException | str) -> str:
    """One line for an OS or SQLite error: the error text without its arguments' paths or newlines."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return os.strerror(exc.errno).lower()
    return " ".join(str(exc).split()) or type(exc).__name__


class SqliteStore(Store):
    """The checkpoint of one key in a SQLite file."""

    def __init__(self, path: str, key: str) -> None:
        self.path = path
        self.key = key
        self.where = path
        self._db: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self._subs: dict[str, int] = {}

    # -- open ---------------------------------------------------------------------------------------
    def open(self) -> None:
        try:
            self._make_directory()
            self._lock()
            self._connect()
        except BaseException:
            self.close()
            raise

    def _make_directory(self) -> None:
        directory = os.path.dirname(self.path)
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
        except OSError as exc:
            raise CheckpointError(
                f"checkpoint {self.where}: cannot create the directory {directory} ({_reason(exc)}); "
                "make it writable for the user running the source or set another checkpoint path"
            ) from None

    def _lock(self) -> None:
        lock_path = self.path + ".lock"
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise CheckpointError(
                f"checkpoint {self.where}: cannot create {lock_path} ({_reason(exc)}); make its directory "
                "writable for the user running the source or set another checkpoint path"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise CheckpointError(
                    f"checkpoint {self.where} is in use by another running source; "
                    "give each source its own checkpoint path"
                ) from None
            raise CheckpointError(
                f"checkpoint {self.where}: cannot lock {lock_path} ({_reason(exc)}); set another checkpoint path"
            ) from None
        self._lock_fd = fd

    def _connect(self) -> None:
        try:
            # Created here with 0600 (SQLite gives its -wal and -shm files the database file's mode).
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
        except OSError as exc:
            raise CheckpointError(
                f"checkpoint {self.where}: cannot open the file ({_reason(exc)}); make it and its directory "
                "writable for the user running the source or set another checkpoint path"
            ) from None
        try:
            # Autocommit at the driver level: apply() opens its own transaction. One writer thread uses the
            # connection, though not necessarily the thread that created the store.
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout = 2000")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"journal mode WAL refused (got {mode})")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                self._db.execute(statement)
            self._db.execute(
                "INSERT OR IGNORE INTO fabricops_aci_meta (name, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            version = self._db.execute(
                "SELECT value FROM fabricops_aci_meta WHERE name = 'schema_version'"
            ).fetchone()[0]
            self._db.execute("COMMIT")
            if not str(version).isdigit() or int(version) > SCHEMA_VERSION:
                raise CheckpointError(
                    f"checkpoint {self.where} was written by a newer version of the collection (schema {version}); "
                    "upgrade the collection or set another checkpoint path"
                )
            self._db.execute("SELECT json_patch('{}', '{}')")  # JSON functions are built in from 3.38 only
            self._load_subscriptions()
        except sqlite3.DatabaseError as exc:
            if self._db is not None and self._db.in_transaction:
                self._rollback(self._db)
            text = _reason(exc)
            if "json_patch" in text:
                raise CheckpointError(
                    f"checkpoint {self.where}: this Python's SQLite library has no JSON functions; "
                    "use a Python built with SQLite 3.38 or later, or a postgresql:// checkpoint"
                ) from None
            if "not a database" in text or "malformed" in text or "corrupt" in text:
                raise CheckpointError(
                    f"checkpoint {self.where} is not a readable SQLite database ({text}); "
                    "move the file away or set another checkpoint path"
                ) from None
            raise CheckpointError(
                f"checkpoint {self.where} cannot be opened ({text}); check the file's permissions and free "
                "space, or set another checkpoint path"
            ) from None

    def _load_subscriptions(self) -> None:
        rows = self._conn().execute("SELECT name, id FROM fabricops_aci_subscriptions WHERE key = ?", (self.key,))
        self._subs = dict(rows.fetchall())

    def _conn(self, write: bool = False) -> sqlite3.Connection:
        if self._db is None:
            if write:
                raise CheckpointWriteError(f"cannot write checkpoint {self.where} (the store is closed)")
            raise self._read_error("the store is closed")
        return self._db

    # -- read ---------------------------------------------------------------------------------------
    def subscriptions(self) -> dict[str, str]:
        try:
            rows = self._conn().execute(
                "SELECT name, fingerprint FROM fabricops_aci_subscriptions WHERE key = ?", (self.key,)
            )
            return dict(rows.fetchall())
        except sqlite3.Error as exc:
            raise self._read_error(exc) from None

    def objects(self, name: str) -> Iterator[tuple[str, str, bytes]]:
        sub = self._subs.get(name)
        if sub is None:
            return
        try:
            cursor = self._conn().execute(
                "SELECT dn, cls, CAST(attrs AS BLOB) FROM fabricops_aci_objects WHERE sub = ?", (sub,)
            )
            try:
                while rows := cursor.fetchmany(FETCH_ROWS):
                    yield from rows
            finally:
                cursor.close()
        except sqlite3.Error as exc:
            raise self._read_error(exc) from None

    def _read_error(self, exc: BaseException | str) -> CheckpointError:
        return CheckpointError(
            f"checkpoint {self.where} cannot be read ({_reason(exc)}); move the file away or set another "
            "checkpoint path"
        )

    # -- write --------------------------------------------------------------------------------------
    def apply(self, ops: list[tuple]) -> None:
        db = self._conn(write=True)
        try:
            db.execute("BEGIN IMMEDIATE")
            self._apply(db, ops)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback(db)
            raise CheckpointWriteError(f"cannot write checkpoint {self.where} ({_reason(exc)})") from None
        except BaseException:
            self._rollback(db)
            raise

    def _rollback(self, db: sqlite3.Connection) -> None:
        try:
            if db.in_transaction:
                db.execute("ROLLBACK")
            self._load_subscriptions()  # ids created by the rolled-back transaction are gone
        except (sqlite3.Error, CheckpointError):
            self._subs = {}

    def _apply(self, db: sqlite3.Connection, ops: list[tuple]) -> None:
        # Consecutive operations of one kind go to executemany together; order is kept.
        batch: list[tuple] = []
        kind = None
        for op in ops:
            if op[0] != kind and batch:
                self._run(db, kind, batch)
                batch = []
            kind = op[0]
            if kind in ("put", "merge"):
                batch.append((self._sub(db, op[1]), op[2], op[3], _text(op[4])))
            elif kind == "delete":
                sub = self._subs.get(op[1])
                if sub is not None:
                    batch.append((sub, op[2]))
            elif kind == "reset":
                self._reset(db, op[1], op[2])
            elif kind == "drop":
                self._drop(db, op[1])
            else:
                raise ValueError(f"unknown checkpoint operation {kind!r}")
        if batch:
            self._run(db, kind, batch)

    @staticmethod
    def _run(db: sqlite3.Connection, kind: str | None, batch: list[tuple]) -> None:
        db.executemany(_PUT if kind == "put" else _MERGE if kind == "merge" else _DELETE, batch)

    def _sub(self, db: sqlite3.Connection, name: str, fingerprint: str = "") -> int:
        sub = self._subs.get(name)
        if sub is None:
            # lastrowid, not RETURNING: SQLite before 3.35 (RHEL 9) has no RETURNING.
            sub = db.execute(
                "INSERT INTO fabricops_aci_subscriptions (key, name, fingerprint) VALUES (?, ?, ?)",
                (self.key, name, fingerprint),
            ).lastrowid
            self._subs[name] = sub
        return sub

    def _reset(self, db: sqlite3.Connection, name: str, fingerprint: str) -> None:
        sub = self._sub(db, name, fingerprint)
        db.execute("UPDATE fabricops_aci_subscriptions SET fingerprint = ? WHERE id = ?", (fingerprint, sub))
        db.execute("DELETE FROM fabricops_aci_objects WHERE sub = ?", (sub,))

    def _drop(self, db: sqlite3.Connection, name: str) -> None:
        sub = self._subs.pop(name, None)
        if sub is not None:
            db.execute("DELETE FROM fabricops_aci_objects WHERE sub = ?", (sub,))
            db.execute("DELETE FROM fabricops_aci_subscriptions WHERE id = ?", (sub,))

    # -- close --------------------------------------------------------------------------------------
    def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            with contextlib.suppress(Exception):  # closing must never fail the caller's shutdown
                db.close()
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)  # releases the flock
