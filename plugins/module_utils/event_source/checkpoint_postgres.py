# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checkpoint in PostgreSQL (psycopg 3), for activations that restart on another node.

psycopg is optional: this module imports without it (``HAS_PSYCOPG``) and ``open_store`` turns its
absence into one line. Ownership of a key is a session-level advisory lock held by the store's own
connection, so the server releases it as soon as that connection ends, however the process ended.
The password comes from the caller (an option or the environment) or from libpq itself (PGPASSWORD,
.pgpass); it is never part of ``where`` or of an error.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import itertools
import os
from collections.abc import Iterator

from ansible_collections.fabricops.aci.plugins.module_utils.core.redact import redact
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint_store import (
    SCHEMA_VERSION,
    CheckpointError,
    CheckpointWriteError,
    Store,
)

try:
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg.conninfo import conninfo_to_dict

    HAS_PSYCOPG = True
except ImportError:
    HAS_PSYCOPG = False

FETCH_ROWS = 2000  # rows per round trip while streaming a subscription's objects
CONNECT_TIMEOUT = 10  # seconds, unless the connection string sets connect_timeout
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
# Serialises schema creation between stores of different keys starting at once (any fixed 64-bit value).
_SCHEMA_LOCK = 0x66616272_69636B70

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS fabricops_aci_meta (name text PRIMARY KEY, value text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS fabricops_aci_subscriptions ("
    " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, key text NOT NULL, name text NOT NULL,"
    " fingerprint text NOT NULL, UNIQUE (key, name))",
    "CREATE TABLE IF NOT EXISTS fabricops_aci_objects ("
    " sub bigint NOT NULL REFERENCES fabricops_aci_subscriptions (id) ON DELETE CASCADE,"
    " dn text NOT NULL, cls text NOT NULL, attrs jsonb NOT NULL, PRIMARY KEY (sub, dn))",
)

_PUT = (
    "INSERT INTO fabricops_aci_objects (sub, dn, cls, attrs) VALUES (%s, %s, %s, %s::jsonb)"
    " ON CONFLICT (sub, dn) DO UPDATE SET cls = excluded.cls, attrs = excluded.attrs"
)
_MERGE = (
    "INSERT INTO fabricops_aci_objects (sub, dn, cls, attrs) VALUES (%s, %s, %s, %s::jsonb)"
    " ON CONFLICT (sub, dn) DO UPDATE SET cls = excluded.cls, attrs = fabricops_aci_objects.attrs || excluded.attrs"
)
_DELETE = "DELETE FROM fabricops_aci_objects WHERE sub = %s AND dn = %s"


def lock_id(key: str) -> int:
    """The advisory lock number of a key: a signed 64-bit hash, as pg_try_advisory_lock takes it."""
    digest = hashlib.blake2b(f"fabricops.aci checkpoint {key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _text(attrs: str | bytes) -> str:
    return attrs.decode("utf-8") if isinstance(attrs, (bytes, bytearray)) else attrs


class PostgresStore(Store):
    """The checkpoint of one key in a PostgreSQL database."""

    def __init__(self, conninfo: str, key: str, password: str | None = None) -> None:
        self.key = key
        self._conninfo = conninfo
        self._password = password or None
        try:
            params = conninfo_to_dict(conninfo)
        except psycopg.Error:
            # libpq's message may quote the string, password included: not shown.
            raise CheckpointError(
                "checkpoint: the PostgreSQL connection string does not parse; "
                "write it as postgresql://user@host:port/dbname or as libpq's host=... dbname=... form"
            ) from None
        self._secrets = (self._password, params.get("password"), os.environ.get("PGPASSWORD"))
        user = params.get("user") or os.environ.get("PGUSER") or getpass.getuser()
        host = params.get("host") or params.get("hostaddr") or os.environ.get("PGHOST") or "localhost"
        port = params.get("port") or os.environ.get("PGPORT") or "5432"
        dbname = params.get("dbname") or os.environ.get("PGDATABASE") or user
        self.where = redact(f"postgresql://{user}@{host}:{port}/{dbname}", self._secrets)
        self._db: psycopg.Connection | None = None
        self._subs: dict[str, int] = {}
        self._cursors = itertools.count()  # server-side cursor names, unique per connection

    def _reason(self, exc: BaseException | str) -> str:
        """The first line of a driver error, without secrets."""
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        text = " ".join(lines[0].split()) if lines else type(exc).__name__
        return redact(text, self._secrets)

    # -- open ---------------------------------------------------------------------------------------
    def open(self) -> None:
        try:
            self._connect()
            self._lock()
            self._create_schema()
            self._load_subscriptions()
        except psycopg.Error as exc:
            self.close()
            raise CheckpointError(
                f"checkpoint {self.where} cannot be used ({self._reason(exc)}); check the server and the "
                "database user's rights, or set another checkpoint location"
            ) from None
        except BaseException:
            self.close()
            raise

    def _connect(self) -> None:
        kwargs: dict = {"autocommit": True, "application_name": "fabricops.aci checkpoint"}
        if self._password:
            kwargs["password"] = self._password
        if "connect_timeout" not in self._conninfo:
            kwargs["connect_timeout"] = CONNECT_TIMEOUT
        if "keepalives" not in self._conninfo:
            # A server that vanishes without closing the connection fails a write within about a minute
            # instead of the operating system's default of hours.
            kwargs.update(KEEPALIVES)
        try:
            self._db = psycopg.connect(self._conninfo, **kwargs)
        except psycopg.Error as exc:
            raise CheckpointError(
                f"checkpoint {self.where}: cannot connect to PostgreSQL ({self._reason(exc)}); check the "
                "checkpoint connection string, that the server is running, and the password given to the source "
                "(or PGPASSWORD / .pgpass)"
            ) from None

    def _lock(self) -> None:
        held = self._conn().execute("SELECT pg_try_advisory_lock(%s)", (lock_id(self.key),)).fetchone()[0]
        if not held:
            raise CheckpointError(
                f"checkpoint {self.where} is in use by another running source; give each source its own "
                "checkpoint path"
            )

    def _create_schema(self) -> None:
        db = self._conn()
        try:
            with db.transaction():
                db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                for statement in _SCHEMA:
                    db.execute(statement)
                db.execute(
                    "INSERT INTO fabricops_aci_meta (name, value) VALUES ('schema_version', %s)"
                    " ON CONFLICT (name) DO NOTHING",
                    (str(SCHEMA_VERSION),),
                )
                version = db.execute("SELECT value FROM fabricops_aci_meta WHERE name = 'schema_version'").fetchone()[0]
        except pg_errors.InsufficientPrivilege as exc:
            raise CheckpointError(
                f"checkpoint {self.where}: cannot create the checkpoint tables ({self._reason(exc)}); grant the "
                "user CREATE on the database's schema, or set another checkpoint location"
            ) from None
        if not str(version).isdigit() or int(version) > SCHEMA_VERSION:
            raise CheckpointError(
                f"checkpoint {self.where} was written by a newer version of the collection (schema {version}); "
                "upgrade the collection or set another checkpoint location"
            )

    def _load_subscriptions(self) -> None:
        rows = self._conn().execute("SELECT name, id FROM fabricops_aci_subscriptions WHERE key = %s", (self.key,))
        self._subs = dict(rows.fetchall())

    def _conn(self, write: bool = False) -> psycopg.Connection:
        if self._db is None or self._db.closed:
            if write:
                raise CheckpointWriteError(f"cannot write checkpoint {self.where} (the connection is closed)")
            raise self._read_error("the connection is closed")
        return self._db

    # -- read ---------------------------------------------------------------------------------------
    def subscriptions(self) -> dict[str, str]:
        try:
            rows = self._conn().execute(
                "SELECT name, fingerprint FROM fabricops_aci_subscriptions WHERE key = %s", (self.key,)
            )
            return dict(rows.fetchall())
        except psycopg.Error as exc:
            raise self._read_error(exc) from None

    def objects(self, name: str) -> Iterator[tuple[str, str, bytes]]:
        sub = self._subs.get(name)
        if sub is None:
            return
        db = self._conn()
        try:
            # A server-side cursor streams FETCH_ROWS at a time; it needs a transaction in autocommit mode.
            with db.transaction(), db.cursor(name=f"checkpoint_{self.key}_{next(self._cursors)}") as cursor:
                cursor.itersize = FETCH_ROWS
                cursor.execute("SELECT dn, cls, attrs::text FROM fabricops_aci_objects WHERE sub = %s", (sub,))
                for dn, cls, attrs in cursor:
                    yield dn, cls, attrs.encode("utf-8")
        except psycopg.Error as exc:
            raise self._read_error(exc) from None

    def _read_error(self, exc: BaseException | str) -> CheckpointError:
        return CheckpointError(
            f"checkpoint {self.where} cannot be read ({self._reason(exc)}); check the server, or set another "
            "checkpoint location"
        )

    # -- write --------------------------------------------------------------------------------------
    def apply(self, ops: list[tuple]) -> None:
        db = self._conn(write=True)
        try:
            with db.transaction():
                self._apply(db, ops)
        except psycopg.Error as exc:
            self._forget_subscriptions()
            raise CheckpointWriteError(f"cannot write checkpoint {self.where} ({self._reason(exc)})") from None
        except BaseException:
            self._forget_subscriptions()
            raise

    def _forget_subscriptions(self) -> None:
        # Ids created by the rolled-back transaction are gone; reload what is committed, if still connected.
        try:
            self._load_subscriptions()
        except (psycopg.Error, CheckpointError):
            self._subs = {}

    def _apply(self, db: psycopg.Connection, ops: list[tuple]) -> None:
        batch: list[tuple] = []
        kind = None
        with db.cursor() as cursor:
            for op in ops:
                if op[0] != kind and batch:
                    cursor.executemany(_PUT if kind == "put" else _MERGE if kind == "merge" else _DELETE, batch)
                    batch = []
                kind = op[0]
                if kind in ("put", "merge"):
                    batch.append((self._sub(cursor, op[1]), op[2], op[3], _text(op[4])))
                elif kind == "delete":
                    sub = self._subs.get(op[1])
                    if sub is not None:
                        batch.append((sub, op[2]))
                elif kind == "reset":
                    sub = self._sub(cursor, op[1], op[2])
                    cursor.execute("DELETE FROM fabricops_aci_objects WHERE sub = %s", (sub,))
                elif kind == "drop":
                    sub = self._subs.pop(op[1], None)
                    if sub is not None:
                        cursor.execute("DELETE FROM fabricops_aci_subscriptions WHERE id = %s", (sub,))
                else:
                    raise ValueError(f"unknown checkpoint operation {kind!r}")
            if batch:
                cursor.executemany(_PUT if kind == "put" else _MERGE if kind == "merge" else _DELETE, batch)

    def _sub(self, cursor: psycopg.Cursor, name: str, fingerprint: str | None = None) -> int:
        """The id of subscription ``name``, created if needed; ``fingerprint`` given: stored too."""
        sub = self._subs.get(name)
        if sub is not None and fingerprint is None:
            return sub
        cursor.execute(
            "INSERT INTO fabricops_aci_subscriptions (key, name, fingerprint) VALUES (%s, %s, %s)"
            " ON CONFLICT (key, name) DO UPDATE SET fingerprint = excluded.fingerprint RETURNING id"
            if fingerprint is not None
            else "INSERT INTO fabricops_aci_subscriptions (key, name, fingerprint) VALUES (%s, %s, %s)"
            " ON CONFLICT (key, name) DO UPDATE SET key = excluded.key RETURNING id",
            (self.key, name, fingerprint or ""),
        )
        sub = cursor.fetchone()[0]
        self._subs[name] = sub
        return sub

    # -- close --------------------------------------------------------------------------------------
    def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            with contextlib.suppress(Exception):  # closing must never fail the caller's shutdown
                db.close()  # ends the session, which releases its advisory lock
