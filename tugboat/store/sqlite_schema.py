"""The SQLite store's tables and connections, in kine's shape.

One append-only table `kv` is the whole history: every write appends a row and the row id
is the revision. `UNIQUE(name, prev_revision)` makes two writers that both saw the same
latest row fail inside the database (a lost update is impossible even if the committer's
own check were wrong). The compacted revision lives in `meta` so it survives a restart.

Connections are configured here, once, so that every connection (writer or reader) is
durable (WAL + synchronous=FULL) and opens real transactions: Python's sqlite3 module
otherwise runs SELECTs outside any transaction, which would let a read see two snapshots.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    column,
    create_engine,
    event,
    make_url,
    table,
)

metadata = MetaData()

kv = Table(
    "kv",
    metadata,
    Column("id", Integer, primary_key=True),  # the revision
    Column("name", Text, nullable=False),
    Column("created", Integer, nullable=False),
    Column("deleted", Integer, nullable=False),
    Column("create_revision", Integer, nullable=False),
    Column("prev_revision", Integer, nullable=False),
    Column("value", LargeBinary, nullable=False),
    UniqueConstraint("name", "prev_revision", name="kv_name_prev_revision"),
    Index("kv_name_id", "name", "id"),
    # AUTOINCREMENT: a revision is never reused, even when compaction deletes the newest row.
    sqlite_autoincrement=True,
)

meta = Table(
    "meta",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", Integer, nullable=False),
)

COMPACT_REV = "compact_rev"

# SQLite's own high-water mark of kv.id: the current revision, even after compaction has
# deleted the row that carried it (max(id) would then go backwards).
sqlite_sequence = table("sqlite_sequence", column("name"), column("seq"))

BUSY_TIMEOUT_MS = 10_000


def database_path(url: str) -> Path:
    """The file behind `sqlite:///path/to/state.db`; in-memory databases cannot be shared
    between the writer's and the readers' connections, so they are refused."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise ValueError(f"expected sqlite:///PATH, got {url!r}")
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        raise ValueError(f"the SQLite store needs a file, got {url!r}")
    return Path(parsed.database)


def open_engine(path: Path, *, begin: str, pool_size: int) -> Engine:
    """An engine whose transactions start with `begin` ("BEGIN IMMEDIATE" for the writer,
    so it takes the write lock up front; "BEGIN" for readers, a WAL snapshot)."""
    engine = create_engine(f"sqlite:///{path}", pool_size=pool_size, max_overflow=0)

    @event.listens_for(engine, "connect")
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module (see the module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def start_transaction(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def create_schema(engine: Engine) -> None:
    metadata.create_all(engine)
