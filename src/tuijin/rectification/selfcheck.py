"""举一反三 (对照检视): which units a problem is suggested to, and how similar two descriptions are.

A problem found by an upper level (上级查) or closed (已销号) in one unit is usually present in similar
units. Its suggestion goes to units that are
- in the same campaign tree (the campaign covering the problem's org),
- of the same sector (Org.sector, 所属领域), the same kind (组织类别) and the same level (tree depth),
- active, not the problem's own org,
- holding nothing similar: no current problem, and no earlier suggestion, whose description has a
  character-bigram Jaccard similarity of SIMILAR or more with this one,
at most MAX_FAN_OUT of them per problem, in tree order. (Written here, not borrowed from publicity's
copied-materials check: publicity is a higher layer.)
"""

import datetime as dt
import re

from tuijin.core.scope import subtree_q
from tuijin.orgs.models import Org

from .models import Problem, SelfCheck

SIMILAR = 0.3  # Jaccard of character bigrams at or above which two descriptions count as the same problem
MAX_FAN_OUT = 50  # units suggested per source problem
TRIGGERS = ("上级查", "已销号")
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the text with spaces and punctuation removed (a single character is its own gram)."""
    clean = _NOISE.sub("", text or "")
    if len(clean) < 2:
        return frozenset([clean]) if clean else frozenset()
    return frozenset(clean[i : i + 2] for i in range(len(clean) - 1))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two descriptions' character bigrams, 0–1."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def candidates(problem: Problem, as_of: dt.date, limit: int = MAX_FAN_OUT) -> list[Org]:
    """The units `problem` should be suggested to (see the module's docstring), at most `limit`."""
    from tuijin.campaigns.queries import current_campaign

    org = problem.org
    campaign = current_campaign(org, as_of)
    if campaign is None:
        return []
    grams = bigrams(problem.description)
    pool = (
        Org.objects.filter(
            subtree_q("path", campaign.root.path), sector=org.sector, kind=org.kind, depth=org.depth, active=True
        )
        .exclude(pk=org.pk)
        .exclude(self_checks__source=problem)
        .order_by("path")
    )
    chosen: list[Org] = []
    start = 0
    while len(chosen) < limit:
        chunk = list(pool[start : start + 200])
        if not chunk:
            break
        start += len(chunk)
        ids = [o.pk for o in chunk]
        texts: dict[int, list[str]] = {}
        for org_id, text in Problem.objects.filter(org__in=ids, withdrawn=False).values_list("org_id", "description"):
            texts.setdefault(org_id, []).append(text)
        for org_id, text in SelfCheck.objects.filter(org__in=ids).values_list("org_id", "source__description"):
            texts.setdefault(org_id, []).append(text)
        for candidate in chunk:
            if any(_jaccard(grams, bigrams(t)) >= SIMILAR for t in texts.get(candidate.pk, ())):
                continue
            chosen.append(candidate)
            if len(chosen) >= limit:
                break
    return chosen


def _jaccard(x: frozenset[str], y: frozenset[str]) -> float:
    return len(x & y) / len(x | y) if x and y else 0.0
