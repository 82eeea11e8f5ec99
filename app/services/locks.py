"""One change to identity at a time: imports, merges, splits, undos, decisions, organization edits.

Two admins merging A into B and B into A at the same instant made a cycle; a merge racing an
import attached a new name to the merged side; two merges sharing a statement recounted it from
two snapshots. Every change to who-is-who therefore takes one lock for its whole transaction and
re-reads what it checks after taking it.

- PostgreSQL: a transaction-level advisory lock, released at commit or rollback. An import waits
  for it (imports are long and queue up); an admin's change does not: if another change holds
  it, the request gets a 409 problem at once, saying so, and nothing is written.
- SQLite: its single writer lock, taken before anything is read, serializes every writer already;
  a second change waits (busy timeout) and then sees what the first one wrote.
"""

from __future__ import annotations

from sqlalchemy import func, literal, select, text
from sqlalchemy.orm import Session

from app.errors import Conflict

# An arbitrary constant naming the lock ("firm" in ASCII); the second half of the key is the
# registry's schema.
IDENTITY_LOCK = 0x6669726D


def _key() -> tuple:
    # why: advisory locks belong to the whole database; two registries in two schemas of one
    # database (the test suites of two checkouts, say) must not lock each other out.
    return literal(IDENTITY_LOCK), func.hashtext(func.current_schema())


def wait_for_identity_lock(session: Session) -> None:
    """Take the lock, waiting as long as it takes (imports)."""
    if _is_postgresql(session):
        session.execute(select(func.pg_advisory_xact_lock(*_key())))
    else:
        _take_sqlite_writer_lock(session)


def take_identity_lock(session: Session) -> None:
    """Take the lock now or raise Conflict (admin changes); stale objects are reloaded after."""
    if _is_postgresql(session):
        taken = session.scalar(select(func.pg_try_advisory_xact_lock(*_key())))
        if not taken:
            raise Conflict(
                "Another change to the registry's organizations (an import, a merge, a split or an undo) is under "
                "way; nothing was changed. Try again in a moment."
            )
    else:
        _take_sqlite_writer_lock(session)
    # why: objects loaded before the lock (the route's lookup) may predate a change just committed.
    session.expire_all()


def _take_sqlite_writer_lock(session: Session) -> None:
    # why: a write that matches no row still opens the write transaction and takes SQLite's one
    # writer lock, so every read after it sees the latest committed state and no writer can interleave.
    session.execute(text("UPDATE organizations SET name = name WHERE id = -1"))


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
