"""No module takes another app's private name (`_name`): what apps share is public in one home.

Checked over the source's syntax tree, so it costs no imports: `from tuijin.orgs.views import _x`,
`from tuijin.orgs import views; views._x`, `import tuijin.orgs.views as v; v._x`.
"""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def app_of(module):
    """`tuijin.orgs.views` -> `tuijin.orgs`; top-level modules (`tuijin.urls`) are their own app."""
    return ".".join(module.split(".")[:2])


def module_name(path):
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def absolute(module, level, current, is_package):
    if not level:
        return module or ""
    base = current.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def foreign_private_names(source, current, is_package=False):
    """(line, text) of every private name `current` takes from another app."""
    found = []
    aliases = {}  # local name -> module of another app
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            target = absolute(node.module, node.level, current, is_package)
            if not target.startswith("tuijin") or app_of(target) == app_of(current):
                continue
            for alias in node.names:
                if any(is_private(part) for part in target.split(".")) or is_private(alias.name):
                    found.append((node.lineno, f"from {target} import {alias.name}"))
                else:
                    aliases[alias.asname or alias.name] = f"{target}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tuijin") and app_of(alias.name) != app_of(current):
                    if any(is_private(part) for part in alias.name.split(".")):
                        found.append((node.lineno, f"import {alias.name}"))
                    aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            base = node.value
            dotted = []
            while isinstance(base, ast.Attribute):
                dotted.insert(0, base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id in aliases:
                found.append((node.lineno, f"{'.'.join([base.id, *dotted])}.{node.attr}"))
    return sorted(found)


def test_the_checker_finds_each_way_of_taking_a_private_name_and_passes_public_and_own_ones():
    here = "tuijin.study.imports"
    assert foreign_private_names("from tuijin.orgs.imports import _chunks, chunks\n", here) == [
        (1, "from tuijin.orgs.imports import _chunks")
    ]
    assert foreign_private_names("from tuijin.orgs import views\nviews._breadcrumb(x)\n", here) == [
        (2, "views._breadcrumb")
    ]
    assert foreign_private_names("import tuijin.orgs.views as v\nv._breadcrumb(x)\n", here) == [(2, "v._breadcrumb")]
    assert foreign_private_names("from tuijin.orgs._impl import x\n", here) == [(1, "from tuijin.orgs._impl import x")]
    # its own app's private names, dunders and public names are fine
    assert foreign_private_names("from tuijin.study.models import _x\nfrom .queries import _y\n", here) == []
    assert foreign_private_names("from tuijin.orgs import views\nviews.__name__\nviews.page_query\n", here) == []
    assert foreign_private_names("from django.db import _private\n", here) == []


def test_no_module_takes_another_apps_private_name():
    found = []
    for path in sorted((SRC / "tuijin").rglob("*.py")):
        current = module_name(path)
        for line, text in foreign_private_names(
            path.read_text(encoding="utf-8"), current, is_package=path.name == "__init__.py"
        ):
            found.append(f"{path.relative_to(SRC.parent)}:{line}: {text}")
    assert found == []
