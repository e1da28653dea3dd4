"""Persistence (DESIGN §5): the Store interface, its errors, and its implementations.
The apiserver sees only this interface, never SQL."""

from tugboat.store.interface import (
    Compacted,
    Conflict,
    Event,
    KeyExists,
    KeyNotFound,
    KeyValue,
    Store,
    StoreError,
    StoreHealth,
)

__all__ = ["Compacted", "Conflict", "Event", "KeyExists", "KeyNotFound", "KeyValue", "Store",
           "StoreError", "StoreHealth", "open_store"]


def open_store(url: str, *, allow_empty: bool = False, prepare: bool = False) -> Store:
    """A store from its URL: `sqlite:///path/to/state.db` (the default backend). With
    `prepare`, the database is checked and initialised now, so a daemon can refuse an
    unusable one with one line (StoreError) before it serves; `allow_empty` accepts an
    existing database that is empty instead of refusing it."""
    if url.startswith("sqlite:"):
        from tugboat.store.sqlite import SQLiteStore

        store = SQLiteStore(url, allow_empty=allow_empty)
        if prepare:
            store.prepare()
        return store
    raise ValueError(f"unsupported store URL {url!r} (expected sqlite:///PATH)")
