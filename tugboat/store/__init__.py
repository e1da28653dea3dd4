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
)

__all__ = ["Compacted", "Conflict", "Event", "KeyExists", "KeyNotFound", "KeyValue", "Store",
           "StoreError", "open_store"]


def open_store(url: str) -> Store:
    """A store from its URL: `sqlite:///path/to/state.db` (the default backend)."""
    if url.startswith("sqlite:"):
        from tugboat.store.sqlite import SQLiteStore

        return SQLiteStore(url)
    raise ValueError(f"unsupported store URL {url!r} (expected sqlite:///PATH)")
