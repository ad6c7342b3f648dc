"""材料雷同: texts copied across units (SPEC §2.9), found by character n-gram MinHash/LSH (datasketch).

Every app that keeps unit-written text registers it in core.texts (心得, problem descriptions,
measures, research reports; this app adds submissions). The check:

1. normalizes each text (NFKC, letters/digits/CJK only) and cuts it into overlapping character
   4-grams; texts shorter than MIN_CHARS are skipped (a one-line 心得 says too little to be a copy);
2. MinHash-es the 4-gram sets (datasketch, NUM_PERM permutations) and indexes them in an LSH
   (MinHashLSH) tuned to THRESHOLD, so only likely pairs are ever compared — a city of 230,000 texts
   is never compared pairwise;
3. verifies each candidate pair exactly (Jaccard similarity of the 4-gram sets ≥ THRESHOLD) and keeps
   it only when the two texts belong to different units. The earlier text is `a`, the later `b`
   (counted as the copy).

Light edits (a changed name, a swapped word, punctuation) keep most 4-grams, so the pair is found;
the same topic told in other words shares few 4-grams, so it is not. `passages()` gives the matched
stretches of both texts for the side-by-side view.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
import zlib
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

K = 4
NUM_PERM = 64
THRESHOLD = 0.5
MIN_CHARS = 40
MIN_PASSAGE = 8
_KEEP = re.compile(r"[\w]", re.UNICODE)


def normalize(text: str | None) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if ch.isalnum()).lower()


def shingles(text: str) -> set[str]:
    t = normalize(text)
    if len(t) < MIN_CHARS:
        return set()
    return {t[i:i + K] for i in range(len(t) - K + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _minhashes(sets):
    encoded = ([s.encode("utf-8") for s in grams] for grams in sets)
    return MinHash.generator(encoded, num_perm=NUM_PERM, hashfunc=zlib.crc32)


@dataclass(frozen=True)
class Text:
    key: tuple[str, int]  # (source, id)
    org_id: int
    date: dt.date | None
    text: str


@dataclass(frozen=True)
class Found:
    a: Text
    b: Text
    similarity: float


def order(x: Text, y: Text) -> tuple[Text, Text]:
    """Earlier first (by date, then by source and id): the later text counts as the copy."""
    kx = (x.date or dt.date.min, x.key)
    ky = (y.date or dt.date.min, y.key)
    return (x, y) if kx <= ky else (y, x)


class Index:
    """An LSH over texts; `add` them, then `pairs()` for all, or `match(text)` for one new text."""

    def __init__(self):
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self.texts: dict[str, Text] = {}
        self.grams: dict[str, set] = {}

    @staticmethod
    def _key(t: Text) -> str:
        return f"{t.key[0]}:{t.key[1]}"

    def add(self, texts) -> int:
        items = []
        for t in texts:
            grams = shingles(t.text)
            if grams:
                items.append((t, grams))
        with self.lsh.insertion_session(buffer_size=5000) as session:
            for (t, grams), m in zip(items, _minhashes(g for _, g in items)):
                key = self._key(t)
                if key in self.texts:
                    continue
                self.texts[key] = t
                self.grams[key] = grams
                session.insert(key, m)
        return len(items)

    def _candidates(self, grams, m, org_id, own_key=None):
        for key in self.lsh.query(m):
            if key == own_key:
                continue
            other = self.texts[key]
            if other.org_id == org_id:
                continue  # within one unit it is not copying across units
            similarity = jaccard(grams, self.grams[key])
            if similarity >= THRESHOLD:
                yield other, similarity

    def pairs(self) -> list[Found]:
        found, seen = [], set()
        keys = list(self.texts)
        for key, m in zip(keys, _minhashes(self.grams[k] for k in keys)):
            t = self.texts[key]
            for other, similarity in self._candidates(self.grams[key], m, t.org_id, key):
                pair = tuple(sorted((key, self._key(other))))
                if pair in seen:
                    continue
                seen.add(pair)
                a, b = order(t, other)
                found.append(Found(a, b, round(similarity, 3)))
        return sorted(found, key=lambda f: (-f.similarity, f.a.key, f.b.key))

    def match(self, text: Text) -> list[Found]:
        """Texts of other units that `text` (not in the index) is alike to."""
        grams = shingles(text.text)
        if not grams:
            return []
        m = next(iter(_minhashes([grams])))
        out = [Found(*order(text, other), round(s, 3)) for other, s in
               self._candidates(grams, m, text.org_id, self._key(text))]
        return sorted(out, key=lambda f: -f.similarity)


def find_pairs(texts) -> list[Found]:
    index = Index()
    index.add(texts)
    return index.pairs()


def passages(a: str, b: str, min_len: int = MIN_PASSAGE) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]], int]:
    """Both texts cut into (segment, matched) runs for the side-by-side view, and the matched length.
    Matching is on the texts as written (punctuation included), stretches of at least `min_len` chars."""
    a, b = a or "", b or ""
    blocks = [blk for blk in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
              if blk.size >= min_len]

    def runs(text, spans):
        out, at = [], 0
        for start, size in sorted(spans):
            if start > at:
                out.append((text[at:start], False))
            out.append((text[start:start + size], True))
            at = start + size
        if at < len(text):
            out.append((text[at:], False))
        return out

    return (runs(a, [(blk.a, blk.size) for blk in blocks]), runs(b, [(blk.b, blk.size) for blk in blocks]),
            sum(blk.size for blk in blocks))
