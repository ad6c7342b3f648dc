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
import unicodedata
import zlib
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

K = 4
NUM_PERM = 64
THRESHOLD = 0.5
MIN_CHARS = 50  # a one-line 心得 (“通过学习，加深了理解…”) says too little to be a copy
MIN_PASSAGE = 8


def normalize(text: str | None) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if ch.isalnum()).lower()


def shingles(text: str) -> set[str]:
    t = normalize(text)
    if len(t) < MIN_CHARS:
        return set()
    return {t[i : i + K] for i in range(len(t) - K + 1)}


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
    return (x, y) if _order_key(x) <= _order_key(y) else (y, x)


class Index:
    """An LSH over texts; `add` them, then `pairs()` for all, or `match(text)` for one new text.

    Texts identical after normalizing form one group with one LSH entry (a bank phrase typed by a
    thousand people is one entry, not a million pairs). Each text is reported at most once: against
    the earliest alike text of another unit (its likely source)."""

    def __init__(self):
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self.groups: dict[str, list[Text]] = {}
        self.grams: dict[str, set] = {}
        self._seen: set = set()

    def add(self, texts) -> int:
        new, added = [], 0
        for t in texts:
            if t.key in self._seen:
                continue
            norm = normalize(t.text)
            if len(norm) < MIN_CHARS:
                continue
            self._seen.add(t.key)
            added += 1
            if norm in self.groups:
                self.groups[norm].append(t)
                continue
            self.groups[norm] = [t]
            grams = {norm[i : i + K] for i in range(len(norm) - K + 1)}
            self.grams[norm] = grams
            new.append((norm, grams))
        with self.lsh.insertion_session(buffer_size=5000) as session:
            for (norm, _), m in zip(new, _minhashes(g for _, g in new), strict=True):
                session.insert(norm, m)
        for members in self.groups.values():
            members.sort(key=_order_key)
        return added

    def _neighbours(self, norm, grams, m):
        for other in self.lsh.query(m):
            if other == norm:
                continue
            similarity = jaccard(grams, self.grams[other])
            if similarity >= THRESHOLD:
                yield other, similarity

    @staticmethod
    def _earliest(members, limit=2):
        """The earliest members of a group from `limit` different units (enough to find one from
        another unit than any given text)."""
        out, orgs = [], set()
        for t in members:
            if t.org_id not in orgs:
                out.append(t)
                orgs.add(t.org_id)
                if len(orgs) >= limit:
                    break
        return out

    def _source(self, t, pool):
        for other, similarity in pool:
            if _order_key(other) >= _order_key(t):
                break
            if other.org_id != t.org_id:
                return other, similarity
        return None

    def pairs(self) -> list[Found]:
        found = []
        norms = list(self.groups)
        for norm, m in zip(norms, _minhashes(self.grams[n] for n in norms), strict=True):
            members = self.groups[norm]
            pool = [(t, 1.0) for t in members]
            for other, similarity in self._neighbours(norm, self.grams[norm], m):
                pool += [(t, similarity) for t in self._earliest(self.groups[other])]
            if len(pool) == 1:
                continue
            pool.sort(key=lambda p: _order_key(p[0]))
            for t in members:
                hit = self._source(t, pool)
                if hit:
                    found.append(Found(hit[0], t, round(hit[1], 3)))
        return sorted(found, key=lambda f: (-f.similarity, f.a.key, f.b.key))

    def match(self, text: Text) -> list[Found]:
        """Texts of other units that `text` (not in the index) is alike to: the earliest of each alike group."""
        norm = normalize(text.text)
        if len(norm) < MIN_CHARS:
            return []
        grams = {norm[i : i + K] for i in range(len(norm) - K + 1)}
        m = next(iter(_minhashes([grams])))
        hits = [(norm, 1.0)] if norm in self.groups else []
        hits += list(self._neighbours(norm, grams, m))
        out = []
        for other, similarity in hits:
            source = next((t for t in self.groups[other] if t.org_id != text.org_id and t.key != text.key), None)
            if source is not None:
                out.append(Found(*order(source, text), round(similarity, 3)))
        return sorted(out, key=lambda f: -f.similarity)


def _order_key(t: Text):
    return (t.date or dt.date.min, t.key)


def find_pairs(texts) -> list[Found]:
    index = Index()
    index.add(texts)
    return index.pairs()


def passages(a: str, b: str, min_len: int = MIN_PASSAGE) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]], int]:
    """Both texts cut into (segment, matched) runs for the side-by-side view, and the matched length.
    Matching is on the texts as written (punctuation included), stretches of at least `min_len` chars."""
    a, b = a or "", b or ""
    blocks = [
        blk for blk in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() if blk.size >= min_len
    ]

    def runs(text, spans):
        out, at = [], 0
        for start, size in sorted(spans):
            if start > at:
                out.append((text[at:start], False))
            out.append((text[start : start + size], True))
            at = start + size
        if at < len(text):
            out.append((text[at:], False))
        return out

    return (
        runs(a, [(blk.a, blk.size) for blk in blocks]),
        runs(b, [(blk.b, blk.size) for blk in blocks]),
        sum(blk.size for blk in blocks),
    )
