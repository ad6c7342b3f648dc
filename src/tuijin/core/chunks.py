"""One way to cut a long list of keys or rows into slices: `for part in chunks(ids): ...filter(pk__in=part)`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

# Keys per `IN (...)` and rows per executemany. SQLite allows 32,766 bound parameters (since 3.32, the
# version every supported Python ships); 2,000 keys keep a query's text small on PostgreSQL too.
CHUNK = 2000


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i : i + size]
