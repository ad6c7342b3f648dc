from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_pragmas(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode;")
            if cursor.fetchone()[0].lower() != "wal":  # switching needs the lock: only once per database
                cursor.execute("PRAGMA journal_mode=WAL;")
            cursor.execute("PRAGMA synchronous=NORMAL;")
            cursor.execute("PRAGMA foreign_keys=ON;")


class CoreConfig(AppConfig):
    name = "tuijin.core"
    verbose_name = "核心"

    def ready(self) -> None:
        connection_created.connect(_sqlite_pragmas)
