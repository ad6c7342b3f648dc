"""No app names a model of a higher layer in a string ("research.Project" in a ForeignKey): import-linter
sees imports only, and such a string ties the lower app to the higher one as surely as an import (it
did: rectification.PublicItem.project pointed at research.Project; the link now lives on
research.Project.publication, issue 10). Migrations are history and are not read."""

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "tuijin"
LABEL = re.compile(r"^([a-z_]+)\.([A-Z]\w*)$")


def layer_of() -> dict[str, int]:
    """App label -> its layer's index, 0 the top, from pyproject's layers contract."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    found = {}
    for i, layer in enumerate(contract["layers"]):
        for module in re.findall(r"tuijin\.(\w+)", layer):
            found[module] = i
    return found


def upward_references(source: str, app: str, layers: dict[str, int]) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = LABEL.match(node.value)
            if match and match.group(1) in layers and layers[match.group(1)] < layers[app]:
                found.append((node.lineno, node.value))
    return found


def test_no_app_names_a_model_of_a_higher_layer():
    layers = layer_of()
    wrong = []
    for app in layers:
        for path in sorted((SRC / app).rglob("*.py")) if (SRC / app).is_dir() else []:
            if "migrations" in path.parts:
                continue
            for line, text in upward_references(path.read_text(), app, layers):
                wrong.append(f"{path.relative_to(ROOT)}:{line} {text!r}")
    assert not wrong, "a lower app names a higher app's model: " + "; ".join(wrong)


def test_the_check_finds_a_reference_to_a_higher_model():
    layers = layer_of()
    source = 'from django.db import models\nproject = models.ForeignKey("research.Project", on_delete=models.PROTECT)\n'
    assert upward_references(source, "rectification", layers) == [(2, "research.Project")]
    assert upward_references(source, "evaluation", layers) == []  # evaluation sits above research
