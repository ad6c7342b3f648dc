"""Every subtree filter goes through `core.scope.subtree_q` (issue 15: cost follows the orgs shown).

A `path__startswith` (or `__istartswith`, `__contains`, `__regex`...) on an org path is a LIKE that
SQLite answers by scanning the whole table and joining every row to its org: the cost of one county's
page then grows with the rows stored in every other county. Checked over the source's syntax tree:
any keyword `...path__<pattern lookup>=` in a call, or a `"...path__<lookup>"` string (a dict built
for `**kwargs`), anywhere in src/ except the helper itself.
"""

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
HELPER = SRC / "tuijin" / "core" / "scope.py"
PATTERN = re.compile(r"(^|__)path__(i?startswith|i?contains|i?endswith|i?regex|i?like)$")


def pattern_filters(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg and PATTERN.search(node.arg):
            found.append((node.value.lineno, node.arg))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and PATTERN.search(node.value):
            found.append((node.lineno, node.value))
    return found


def test_the_check_sees_a_prefix_filter_and_not_a_range_or_a_python_startswith():
    bad = (
        "Person.objects.filter(org__path__startswith=o.path)\nOrg.objects.filter(path__istartswith=p)\n"
        'qs.filter(**{"origin_org__path__startswith": p})\n'
    )
    good = (
        'Org.objects.filter(subtree_q("path", p), path__gte=p)\nok = org.path.startswith(p)\n'
        "qs.filter(org_path__startswith=p, verb__startswith=v)\n"
    )
    assert [arg for _, arg in pattern_filters(bad)] == [
        "org__path__startswith",
        "path__istartswith",
        "origin_org__path__startswith",
    ]
    assert pattern_filters(good) == []


def test_no_queryset_in_src_filters_an_org_path_by_pattern():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path == HELPER:
            continue
        for line, arg in pattern_filters(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(SRC)}:{line}: {arg} (use core.scope.subtree_q)")
    assert offenders == []
