"""The text-source registry: apps that keep free text written by units (心得, problem descriptions,
measures, research reports, submissions) register it here, so the copied-materials check
(tuijin.publicity.copies) reads every app's texts without importing any of them (SPEC §2.9).

A source yields (id, org_id, date, text) for the texts in the subtrees at `paths` (all when None),
and `texts(ids)` answers the same for given ids; `url(id)` is the page that shows the text, if any.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TextSource:
    name: str  # stable key stored with every pair: "self_study", "problem", …
    label: str  # 个人自学心得
    rows: Callable[[list[str] | None], Iterable[tuple]]  # (paths) -> (id, org_id, date, text)
    texts: Callable[[list[int]], dict[int, tuple]]  # ids -> {id: (org_id, date, text)}
    url: Callable[[int], str | None] = lambda pk: None


_SOURCES: dict[str, TextSource] = {}


def register(source: TextSource) -> TextSource:
    _SOURCES[source.name] = source
    return source


def sources() -> dict[str, TextSource]:
    return dict(_SOURCES)


def get(name: str) -> TextSource | None:
    return _SOURCES.get(name)
