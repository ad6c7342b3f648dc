"""Adding many orgs at once: allocate materialized paths ourselves and bulk-insert.

treebeard's add_child() costs several queries per node; imports and the demo generator add
thousands, so they allocate the next free step under each parent and insert in one batch.
"""

from collections import defaultdict

from django.db.models import Max

from tuijin.core.scope import subtree_q
from .models import Org


def step(i: int) -> str:
    """The path segment of the i-th child (1 -> "0001"), in treebeard's alphabet."""
    return Org._int2str(i).rjust(Org.steplen, "0")


def ancestor_paths(org: Org, *, include_self: bool = False) -> list[str]:
    """Paths of the org's ancestors, root first (and its own path last with include_self)."""
    end = len(org.path) + (1 if include_self else 0)
    return [org.path[:i] for i in range(org.steplen, end, org.steplen)]


def allocate_paths(new_nodes: list[tuple[Org, str]]) -> None:
    """Give each new Org a path under its parent path, in order.

    `new_nodes`: (unsaved org, parent path). Parent paths may belong to orgs that are
    themselves in `new_nodes` (earlier in the list), so order parents before children.
    """
    next_step: dict[str, int] = {}
    parents = {parent for _, parent in new_nodes}
    existing = {p for p in parents if p}
    if existing:
        depth_of = dict(Org.objects.filter(path__in=existing).values_list("path", "depth"))
        for parent_path, depth in depth_of.items():
            last = Org.objects.filter(subtree_q("path", parent_path), depth=depth + 1).aggregate(m=Max("path"))["m"]
            next_step[parent_path] = (Org._str2int(last[-Org.steplen :]) + 1) if last else 1
    if "" in parents:
        last = Org.objects.filter(depth=1).aggregate(m=Max("path"))["m"]
        next_step[""] = (Org._str2int(last) + 1) if last else 1
    for org, parent_path in new_nodes:
        step = next_step.get(parent_path, 1)
        next_step[parent_path] = step + 1
        org.path = parent_path + Org._int2str(step).rjust(Org.steplen, "0")
        org.depth = len(org.path) // Org.steplen
        org.numchild = 0


def refresh_numchild(paths) -> None:
    """Recount numchild for the given parent paths (treebeard relies on it)."""
    paths = list(paths)
    counts = defaultdict(int)
    for i in range(0, len(paths), 500):
        chunk = paths[i : i + 500]
        for org in Org.objects.filter(path__in=chunk).only("pk", "path", "depth"):
            counts[org.pk] = Org.objects.filter(subtree_q("path", org.path), depth=org.depth + 1).count()
    for pk, n in counts.items():
        Org.objects.filter(pk=pk).update(numchild=n)
