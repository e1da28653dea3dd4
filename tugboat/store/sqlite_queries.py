"""The SQL the SQLite store runs, kept apart from threads and transactions.

Each function takes an open connection (already inside a transaction) and returns store
types, so the reading path (reader threads) and the writing path (the committer thread)
share one definition of "the latest row of a key" and "a key's state as of a revision".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    func,
    insert,
    select,
    true,
    update,
)

from tugboat.store.interface import Event, KeyValue
from tugboat.store.sqlite_schema import COMPACT_REV, kv, meta, sqlite_sequence


@dataclass(frozen=True, slots=True)
class Row:
    """One row of `kv`: one revision of one key."""

    id: int
    name: str
    created: bool
    deleted: bool
    create_revision: int
    prev_revision: int
    value: bytes

    @classmethod
    def of(cls, r: Any) -> Row:
        return cls(r.id, r.name, bool(r.created), bool(r.deleted), r.create_revision,
                   r.prev_revision, r.value)

    def key_value(self) -> KeyValue:
        return KeyValue(self.name, self.value, self.create_revision, self.id)

    def event(self, prev: KeyValue | None) -> Event:
        kind = "DELETE" if self.deleted else "PUT"
        return Event(kind, self.key_value(), prev, created=self.created)


def prefix_end(prefix: str) -> str | None:
    """The smallest string above every string that starts with `prefix` (None: no bound).
    SQLite compares TEXT as UTF-8 bytes, which is code point order, so a half-open range
    [prefix, prefix_end) selects exactly the keys under prefix and can use the index."""
    for i in range(len(prefix) - 1, -1, -1):
        code = ord(prefix[i])
        if code < 0x10FFFF:
            following = 0xE000 if code + 1 == 0xD800 else code + 1  # skip surrogates
            return prefix[:i] + chr(following)
    return None


def under(prefix: str) -> ColumnElement[bool]:
    if not prefix:
        return true()
    end = prefix_end(prefix)
    lower = kv.c.name >= prefix
    return lower if end is None else and_(lower, kv.c.name < end)


# The writer's statements are built once: building a Core statement costs more than
# SQLite takes to run it, and the committer runs two per write.
_REVISIONS = select(
    func.coalesce(select(sqlite_sequence.c.seq)
                  .where(sqlite_sequence.c.name == kv.name).scalar_subquery(), 0),
    func.coalesce(select(meta.c.value)
                  .where(meta.c.name == COMPACT_REV).scalar_subquery(), 0))
_LATEST = select(kv).where(kv.c.name == bindparam("name")).order_by(kv.c.id.desc()).limit(1)
_APPEND = insert(kv)


def revisions(conn: Connection) -> tuple[int, int]:
    """(current revision, compacted revision) in this transaction's snapshot."""
    current, compacted = conn.execute(_REVISIONS).one()
    return int(current), int(compacted)


def latest_row(conn: Connection, key: str) -> Row | None:
    found = conn.execute(_LATEST, {"name": key}).first()
    return Row.of(found) if found is not None else None


def rows_at(conn: Connection, prefix: str, revision: int) -> list[Row]:
    """The live keys under prefix as of `revision`, sorted by key: for each key the row
    with the highest id <= revision, unless that row is a deletion."""
    newest = (select(func.max(kv.c.id).label("id"))
              .where(under(prefix), kv.c.id <= revision)
              .group_by(kv.c.name)
              .subquery())
    stmt = (select(kv).join(newest, kv.c.id == newest.c.id)
            .where(kv.c.deleted == 0).order_by(kv.c.name))
    return [Row.of(r) for r in conn.execute(stmt)]


_prev = kv.alias("prev")


def events_between(conn: Connection, prefix: str, after: int, through: int,
                   limit: int) -> list[Event]:
    """Up to `limit` events under prefix with after < revision <= through, oldest first,
    each with its previous value when that row has not been compacted away."""
    stmt = (select(kv, _prev.c.id.label("p_id"), _prev.c.deleted.label("p_deleted"),
                   _prev.c.create_revision.label("p_create_revision"),
                   _prev.c.value.label("p_value"))
            .select_from(kv.outerjoin(_prev, _prev.c.id == kv.c.prev_revision))
            .where(under(prefix), kv.c.id > after, kv.c.id <= through)
            .order_by(kv.c.id)
            .limit(limit))
    return [_history_event(r) for r in conn.execute(stmt)]


def _history_event(r: Any) -> Event:
    row = Row.of(r)
    prev = None
    if r.p_id is not None and not r.p_deleted and not row.created:
        prev = KeyValue(row.name, r.p_value, r.p_create_revision, r.p_id)
    return row.event(prev)


def append(conn: Connection, row: Row) -> None:
    conn.execute(_APPEND, {
        "id": row.id, "name": row.name, "created": int(row.created),
        "deleted": int(row.deleted), "create_revision": row.create_revision,
        "prev_revision": row.prev_revision, "value": row.value})


def compact_between(conn: Connection, after: int, through: int) -> None:
    """Forget history in (after, through]: every row superseded by a row in that window
    (kine's trick: a row is superseded exactly when a later row names it prev_revision),
    and every deletion in it. Rows superseded earlier went at the earlier compaction, so
    the window bounds the work. Current values are never superseded, so they stay."""
    window = and_(kv.c.id > after, kv.c.id <= through)
    superseded = select(kv.c.prev_revision).where(window, kv.c.prev_revision != 0)
    conn.execute(kv.delete().where(kv.c.id.in_(superseded)))
    conn.execute(kv.delete().where(window, kv.c.deleted == 1))
    _set_compacted(conn, through)


def _set_compacted(conn: Connection, revision: int) -> None:
    set_meta(conn, COMPACT_REV, revision)


def set_meta(conn: Connection, name: str, value: int) -> None:
    changed = conn.execute(update(meta).where(meta.c.name == name).values(value=value)).rowcount
    if not changed:
        conn.execute(insert(meta).values(name=name, value=value))
