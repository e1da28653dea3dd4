"""Unit tests of tugboat.store: one contract suite for every Store implementation, plus
what only the SQLite store has (durability across kill -9, group commit, compaction)."""
