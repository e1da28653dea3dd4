"""The SQLite store's tables and connections, in kine's shape.

One append-only table `kv` is the whole history: every write appends a row and the row id
is the revision. `UNIQUE(name, prev_revision)` makes two writers that both saw the same
latest row fail inside the database (a lost update is impossible even if the committer's
own check were wrong). The compacted revision lives in `meta` so it survives a restart.

Connections are configured here, once, so that every connection (writer or reader) is
durable (WAL + synchronous=FULL) and opens real transactions: Python's sqlite3 module
otherwise runs SELECTs outside any transaction, which would let a read see two snapshots.

`prepare_file` and `create_schema` run before anything else opens the file. A database that exists but
is empty (0 bytes, or no Tugboat marker and no data) is refused: starting an empty
cluster on it would silently lose every object the operator expected to find. A file
that is not an SQLite database, or is damaged, is refused with one line. The database is
created mode 0600 (SQLite gives the -wal and -shm files the database's mode): it holds
every Secret.
"""

from __future__ import annotations

import os
import sqlite3
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
    insert,
    make_url,
    select,
    table,
)
from sqlalchemy.exc import DatabaseError

from tugboat.store.interface import StoreError

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
MARKER = "tugboat_store"  # written when the database is made: "this is a Tugboat store"
STORE_FORMAT = 1
PROBE = "readyz_probe"  # rewritten by the readiness probe: a commit that adds no revision
FILE_MODE = 0o600

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


class UnusableDatabase(StoreError):
    """The database file cannot be used as it is; the message is one line for the
    operator, naming the file and what to do."""


def prepare_file(path: Path, allow_empty: bool) -> bool:
    """Before SQLite opens it: create the file 0600 if missing, refuse a 0-byte one (unless
    allowed), and tighten the modes of an existing database and its -wal/-shm. Returns
    whether the database already existed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
        existed = False
    except FileExistsError:
        existed = True
        if path.stat().st_size == 0 and not allow_empty:
            raise UnusableDatabase(
                f"{path} is empty (0 bytes) but a database was expected there; restore it "
                f"from a backup, or pass --allow-empty-store to start an empty cluster "
                f"on it") from None
    for suffix in ("", "-wal", "-shm"):
        try:
            os.chmod(f"{path}{suffix}", FILE_MODE)
        except FileNotFoundError:
            pass
    return existed


def create_schema(engine: Engine, path: Path, existed: bool, allow_empty: bool) -> None:
    """Create the tables and the marker, checking that an existing database is a Tugboat
    store. A database from before the marker existed, with data in it, is adopted."""
    try:
        with engine.connect() as conn, conn.begin():
            metadata.create_all(conn)
            if conn.execute(select(meta.c.value).where(meta.c.name == MARKER)).first():
                return
            has_data = conn.execute(select(kv.c.id).limit(1)).first() is not None
            if existed and not has_data and not allow_empty:
                raise UnusableDatabase(
                    f"{path} is not a Tugboat store (no marker, no data) but a database was "
                    f"expected there; restore it from a backup, or pass --allow-empty-store "
                    f"to start an empty cluster on it")
            conn.execute(insert(meta).values(name=MARKER, value=STORE_FORMAT))
    except (DatabaseError, sqlite3.Error) as e:
        raise unusable(path, e) from None


def check_integrity(engine: Engine, path: Path) -> None:
    """SQLite's quick_check over every page (about a second per GB): damage found now is
    one clear line, not a failure in the middle of loading the watch cache."""
    try:
        with engine.connect() as conn, conn.begin():
            problems = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check(1)")]
    except (DatabaseError, sqlite3.Error) as e:
        raise unusable(path, e) from None
    if problems != ["ok"]:
        found = " ".join(str(problems[0]).split()) if problems else "no answer"  # one line
        raise UnusableDatabase(f"{path} is damaged ({found}); restore it from a backup, or "
                               f"move it away to start an empty cluster")


def unusable(path: Path, e: Exception) -> UnusableDatabase:
    orig = getattr(e, "orig", None)
    cause = orig if isinstance(orig, sqlite3.Error) else e
    reason = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
    return UnusableDatabase(f"{path} cannot be used as a database ({reason}); restore it "
                            f"from a backup, or move it away to start an empty cluster")
