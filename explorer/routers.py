"""Send the public site's reads to a read replica, when DATABASE_REPLICA_URL names one.

Reads go to the replica only inside `replica_reads()`, which `ReplicaReadsMiddleware` opens
around GET and HEAD requests to the public site. Everything else (the admin, imports,
management commands, any request that writes) reads from and writes to `default`, so a
curator sees their own correction at once and `select_for_update()` in the importer always
runs on the primary. The public pages may trail the primary by the replication lag; their
data version (inspections.freshness) is read from the replica too, so a page and its HTTP
validators always describe the same state.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

PRIMARY = "default"
REPLICA = "replica"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads use the replica (where the router is installed)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Reads inside `replica_reads()` go to the replica; all else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        return REPLICA if _replica_reads.get() else PRIMARY

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica is a copy of the primary: objects from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        # The replica receives its schema by replication, never by migrate.
        return db == PRIMARY
