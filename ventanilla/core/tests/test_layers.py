"""The apps are floors of one house: imports only go down, and never in a circle.

Read from the source (non-test, non-migration modules), so a new import that points up or
closes a circle fails here, with the file and line, before anyone has to untangle it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]

#: lowest first; an app may import apps on its own floor or below (see shared/design.md)
FLOORS: tuple[frozenset[str], ...] = (
    frozenset({"core", "privacy"}),
    frozenset({"cases", "citizens", "channels", "streets"}),
    frozenset({"conversations", "insights"}),
    frozenset({"inbox", "portal", "webhooks_out", "procedures", "appointments"}),
    frozenset({"open311"}),
    frozenset({"demo", "fakes"}),
)
FLOOR = {app: level for level, apps in enumerate(FLOORS) for app in apps}


def _apps() -> list[str]:
    return sorted(
        p.name
        for p in PACKAGE.iterdir()
        if (p / "__init__.py").exists() and (p / "apps.py").exists()
    )


def _imports() -> list[tuple[str, str, str, bool]]:
    """Return (from_app, to_app, "file:line", inside_a_function) for every cross-app import."""
    found = []
    apps = set(_apps())
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) < 2 or rel.parts[0] not in apps:
            continue
        if {"tests", "migrations"} & set(rel.parts) or rel.name == "conftest.py":
            continue
        tree = ast.parse(path.read_text(), str(path))
        typing_only = {
            id(n)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for n in ast.walk(node)
        }
        local = {
            id(n)
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
            for n in ast.walk(f)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if len(parts) > 1 and parts[0] == "ventanilla" and parts[1] in apps:
                    if parts[1] != rel.parts[0]:
                        where = f"{rel}:{node.lineno}"
                        found.append((rel.parts[0], parts[1], where, id(node) in local))
    return found


def test_every_app_has_a_floor():
    assert set(_apps()) <= set(FLOOR), set(_apps()) - set(FLOOR)


def test_imports_only_go_down():
    upward = [
        f"{where}: {src} imports {dst}"
        for src, dst, where, _ in _imports()
        if FLOOR.get(dst, 99) > FLOOR.get(src, 99)
    ]
    assert upward == []


def test_core_imports_no_other_app():
    assert [where for src, _, where, _ in _imports() if src == "core"] == []


def test_no_circle_between_apps():
    graph: dict[str, set[str]] = {app: set() for app in _apps()}
    for src, dst, _, _ in _imports():
        graph[src].add(dst)
    circles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            app, path = stack.pop()
            for nxt in graph[app]:
                if nxt == start:
                    circles.append(" -> ".join([*path, nxt]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    assert circles == []


def test_no_import_of_another_app_inside_a_function():
    assert [where for _, _, where, inside in _imports() if inside] == []


@pytest.mark.parametrize(
    ("source", "floor_of_import"),
    [("from ventanilla.portal.models import PublicRecord\n", "portal")],
)
def test_the_scan_sees_an_upward_import(tmp_path, monkeypatch, source, floor_of_import):
    """The scan itself works: a core module importing the portal is caught."""
    package = tmp_path / "ventanilla"
    for app in ("core", "portal"):
        (package / app).mkdir(parents=True)
        (package / app / "__init__.py").write_text("")
        (package / app / "apps.py").write_text("")
    (package / "core" / "bad.py").write_text(source)
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", package)
    assert [(s, d) for s, d, _, _ in _imports()] == [("core", floor_of_import)]
