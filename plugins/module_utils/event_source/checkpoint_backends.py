# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which store a ``checkpoint`` value names: a PostgreSQL connection string, or a file path for SQLite.

Kept apart from checkpoint_store.py (the interface both backends import) so that the interface never
imports its own implementations. The PostgreSQL backend is imported only for a PostgreSQL location:
psycopg and what it loads add about 11 MiB to the resident size of a source that never uses them.
"""

from __future__ import annotations

import os
import re

from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint_sqlite import SqliteStore
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint_store import CheckpointError, Store

# Keys become file names; the caller computes a short hex digest.
_KEY = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
_POSTGRES_PREFIXES = ("postgresql://", "postgres://", "host=", "dbname=")


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
    return SqliteStore(sqlite_file(location, key), key)
