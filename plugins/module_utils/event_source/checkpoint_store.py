# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the event source keeps the state it has delivered: the store interface and the backend choice.

A checkpoint holds, per subscription, the definition fingerprint and every object the rule engine has
been handed (DN, class, attributes). It never holds a secret. Two backends implement ``Store``: a SQLite
file (the default, standard library only) and PostgreSQL (psycopg 3, optional), for activations that
move between nodes. Every method blocks and is called from one writer thread, never from the event loop.

Everything is namespaced by ``key`` (one fabric and one set of subscriptions), so one file or database
can hold several checkpoints; a store owns its key exclusively while it is open.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator

from ansible_collections.fabricops.aci.plugins.module_utils.event_source.errors import SourceError

# Version of the tables' layout; a store refuses a checkpoint written with a newer one.
SCHEMA_VERSION = 1
# Keys become file names; the caller computes a short hex digest.
_KEY = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
_POSTGRES_PREFIXES = ("postgresql://", "postgres://", "host=", "dbname=")


class CheckpointError(SourceError):
    """The checkpoint cannot be used as configured (in use, corrupt, unreachable): fatal at start."""


class CheckpointWriteError(Exception):
    """A write failed after the store was opened (disk full, read-only, connection lost); rolled back."""


class Store(ABC):
    """One checkpoint namespace (``key``) in one backend; see the module docstring for the contract.

    ``apply`` takes a list of operations, applied in order in one transaction:

    - ``("reset", name, fingerprint)``: forget every object of ``name`` and store its fingerprint;
    - ``("put", name, dn, cls, attrs_json)``: the object as a whole (replaces its attributes);
    - ``("merge", name, dn, cls, attrs_json)``: merge these attributes into the stored ones, new values
      win (inserted when absent);
    - ``("delete", name, dn)``;
    - ``("drop", name)``: forget the subscription and its objects.

    ``attrs_json`` is compact JSON (str or bytes) of a dict of str to str. An operation on a
    subscription that was never reset creates it with an empty fingerprint.
    """

    where: str  # secret-free text for logs and errors

    @abstractmethod
    def open(self) -> None:
        """Connect, create the schema if missing and take exclusive ownership of the key."""

    @abstractmethod
    def subscriptions(self) -> dict[str, str]:
        """Subscription name -> definition fingerprint stored for it."""

    @abstractmethod
    def objects(self, name: str) -> Iterator[tuple[str, str, bytes]]:
        """(dn, class, attributes as JSON bytes) of one subscription, streamed; consume before ``apply``."""

    @abstractmethod
    def apply(self, ops: list[tuple]) -> None:
        """Apply ``ops`` in one transaction; CheckpointWriteError (rolled back) when it cannot be written."""

    @abstractmethod
    def close(self) -> None:
        """Release the ownership and close; idempotent, never raises."""


def is_postgres_location(location: str) -> bool:
    """Whether ``location`` is a PostgreSQL URI or libpq conninfo rather than a file path."""
    return location.strip().lower().startswith(_POSTGRES_PREFIXES)


def sqlite_file(location: str, key: str) -> str:
    """The SQLite file for ``location``: ``<dir>/<key>.sqlite3`` for a directory, else the path itself."""
    path = os.path.expanduser(location)
    if path.endswith(os.sep) or os.path.isdir(path):
        return os.path.abspath(os.path.join(path, f"{key}.sqlite3"))
    return os.path.abspath(path)


def open_store(location: str, key: str, password: str | None = None) -> Store:
    """The store for the ``checkpoint`` option's value (not yet opened).

    ``postgresql://`` / ``postgres://`` URIs and libpq ``host=``/``dbname=`` strings go to PostgreSQL
    (``password`` overrides libpq's PGPASSWORD and .pgpass); anything else is a filesystem path: an
    existing directory, or a path ending in ``/``, holds ``<key>.sqlite3``; otherwise it is the file.
    """
    if not _KEY.match(key or ""):
        raise ValueError(f"checkpoint key must be 1-64 letters, digits, '-' or '_', got {key!r}")
    if not location or not location.strip():
        raise CheckpointError("checkpoint: empty location; give a file path, a directory or a postgresql:// URI")
    if is_postgres_location(location):
        from ansible_collections.fabricops.aci.plugins.module_utils.event_source import checkpoint_postgres

        if not checkpoint_postgres.HAS_PSYCOPG:
            raise CheckpointError(
                "checkpoint: a PostgreSQL checkpoint needs the psycopg package, which is not installed; "
                'run `pip install "psycopg[binary]"` in the environment of ansible-rulebook, or use a file path'
            )
        return checkpoint_postgres.PostgresStore(location.strip(), key, password)
    from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint_sqlite import SqliteStore

    return SqliteStore(sqlite_file(location, key), key)
