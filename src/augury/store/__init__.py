"""Augury's storage adapter: the durable command journal, snapshots, the history read
models and their schema, on SQLite (embedded, default) or PostgreSQL.

``Journal`` is the sequencer's only way to disk: group-committed appends, verified replay,
crash recovery and snapshots. ``upgrade`` brings a database to the newest schema; every
``open`` calls it itself. ``SQL_STORE`` is this package as the runtime sees it (the
``runtime.ports.StoreOpener`` protocol): whoever composes a server hands it to the runtime.
"""

from augury.store.history_reader import HistoryReader
from augury.store.history_writer import HistoryWriter, history_url
from augury.store.journal import (
    CorruptRecordError,
    Journal,
    JournalError,
    RecoveryReport,
    record_crc32,
)
from augury.store.migrate import upgrade

__all__ = [
    "SQL_STORE",
    "CorruptRecordError",
    "Journal",
    "JournalError",
    "RecoveryReport",
    "SqlStore",
    "record_crc32",
    "upgrade",
]


class SqlStore:
    """Opens a store URL's databases: the journal's, and the history read models' (a
    sibling file on SQLite, the same database on PostgreSQL: ``history_url``)."""

    def open_journal(self, url: str) -> Journal:
        """Migrate, connect, recover the log's tail and return the journal."""
        return Journal.open(url)

    def open_history(self, url: str) -> tuple[HistoryWriter, HistoryReader]:
        """Migrate and open the history writer and a reader on its own connection."""
        writer = HistoryWriter.open(history_url(url))
        try:
            return writer, HistoryReader.open(writer.url)
        except BaseException:
            writer.close()
            raise


SQL_STORE = SqlStore()
