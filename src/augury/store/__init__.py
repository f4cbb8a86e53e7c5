"""Augury's storage adapter: the durable command journal, snapshots and their schema.

``Journal`` is the sequencer's only way to disk: group-committed appends, verified replay,
crash recovery and snapshots, on SQLite (embedded, default) or PostgreSQL. ``upgrade`` brings a
database to the newest schema; ``Journal.open`` calls it itself.
"""

from augury.store.journal import (
    CorruptRecordError,
    Journal,
    JournalError,
    RecoveryReport,
    record_crc32,
)
from augury.store.migrate import upgrade

__all__ = [
    "CorruptRecordError",
    "Journal",
    "JournalError",
    "RecoveryReport",
    "record_crc32",
    "upgrade",
]
