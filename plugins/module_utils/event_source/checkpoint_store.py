# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the event source keeps the state it has delivered: the store interface and the backend choice.

A checkpoint holds, per subscription, the definition fingerprint and every object the rule engine has
been handed (DN, class, attributes). It never holds a secret. Two backends implement ``Store``: a SQLite
file (the default, standard library only) and PostgreSQL (psycopg 3, optional), for activations that
move between nodes. Every method blocks and is called from one writer thread, never from the event loop.

Everything is namespaced by ``key`` (one fabric and one set of subscriptions), so one file or database
can hold several checkpoints; a store owns its key exclusively while it is open. Which backend a
``checkpoint`` value names is decided in checkpoint_backends.py, above both backends.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator

from ansible_collections.fabricops.aci.plugins.module_utils.event_source.errors import SourceError

# Version of the tables' layout; a store refuses a checkpoint written with a newer one.
SCHEMA_VERSION = 1


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
