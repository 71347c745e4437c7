"""Dependencies point one way: a test that reads every module's imports (top-level, in functions, and under
TYPE_CHECKING alike) and fails on an arrow that runs the wrong way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
QT = ("PySide6", "shiboken6", "pyqtgraph")
# The packages of the app below the views, and what each may import from the app ("app" itself: APP_NAME and the
# version in app/__init__.py).
LAYERS = {
    "app.core": ("app.core",),
    "app.store": ("app.core", "app.store", "app.paths"),
    "app.io": ("app.core", "app.store", "app.io", "app.paths"),
    "app.services": ("app.core", "app.store", "app.io", "app.services", "app.paths"),
}
NO_QT = ("app.core", "app.store", "app.io", "app.services")
FEATURES = ("map", "registry", "requests", "accountability", "data", "evidence", "program", "insights")
# What any feature may use of app.views besides its own package.
SHARED_VIEWS = ("app.views.widgets", "app.views.actions", "app.views.dialogs", "app.views.features",
                "app.views.main_window")


def module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    name = module_name(path)
    return imports_in(path.read_text(encoding="utf-8"), name if path.name == "__init__.py" else name.rpartition(".")[0])


def imports_in(source: str, package: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: `from ..store import db` inside app.core is app.store
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from app.store import audit`
    return found


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


MODULES = sorted(APP.rglob("*.py"))
LAUNCH = ("app.gui", "app.startup", "app.__main__")  # start the application: above the views


def test_the_walk_sees_the_app() -> None:
    names = {module_name(p) for p in MODULES}
    assert {"app.core.geo", "app.store.db", "app.views.main_window", "app.views.map"} <= names


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_lower_layers_import_only_what_is_below_them(layer: str) -> None:
    wrong = []
    for path in MODULES:
        name = module_name(path)
        if not within(name, layer):
            continue
        for imported in imports(path):
            if within(imported, "app") and imported not in ("app", "app.APP_NAME", "app.__version__") \
                    and not any(within(imported, allowed) for allowed in LAYERS[layer]):
                wrong.append(f"{name} imports {imported}")
            if layer in NO_QT and imported.startswith(QT):
                wrong.append(f"{name} imports {imported}")
    assert wrong == []


def test_a_feature_imports_no_other_feature() -> None:
    wrong = []
    for path in MODULES:
        name = module_name(path)
        feature = next((f for f in FEATURES if within(name, f"app.views.{f}")), None)
        if feature is None:
            continue
        for imported in imports(path):
            if within(imported, "app.views") and not within(imported, f"app.views.{feature}") \
                    and not any(within(imported, s) for s in SHARED_VIEWS) and imported != "app.views":
                wrong.append(f"{name} imports {imported}")
    assert wrong == []


# The plots are widgets beside the views: they may use the generic widgets (the one file-dialog seam), nothing else.
BESIDE_VIEWS = {"app.plots": "app.views.widgets"}


def test_nothing_below_the_views_imports_them() -> None:
    wrong = [f"{module_name(p)} imports {i}" for p in MODULES
             if not within(module_name(p), "app.views") and module_name(p) not in LAUNCH
             for i in imports(p) if within(i, "app.views")
             and not any(within(module_name(p), k) and within(i, v) for k, v in BESIDE_VIEWS.items())]
    assert wrong == []


def test_no_feature_module_loose_at_the_top_of_views() -> None:
    loose = sorted(p.name for p in (APP / "views").glob("*.py"))
    assert loose == ["__init__.py", "actions.py", "features.py", "main_window.py", "wiring.py"]


def test_the_walk_catches_a_wrong_arrow() -> None:
    source = ("from __future__ import annotations\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
              "    from app.store import db\ndef later():\n    from PySide6.QtCore import QObject\n"
              "    from ..views.map import tab\n")
    found = imports_in(source, "app.core")
    assert {"app.store", "app.store.db", "PySide6.QtCore", "app.views.map", "app.views.map.tab"} <= found


def cycles_in(package: str) -> list[list[str]]:
    """Import cycles among a package's modules, counting every import (lazy ones too)."""
    names = {module_name(p): p for p in MODULES if within(module_name(p), package)}
    graph = {n: {i for i in imports(p) if i in names and i != n} for n, p in names.items()}
    found, done = [], set()

    def walk(node: str, path: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in path:
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in done:
                walk(nxt, [*path, nxt])
        done.add(node)

    for start in sorted(graph):
        if start not in done:
            walk(start, [start])
    return found


# app.store is not listed yet: db, audit and audit_head call each other through function-level imports (the audit
# head is written after every commit that appended); untangling them is the next step there.
@pytest.mark.parametrize("package", ["app.core", "app.io", "app.services"])
def test_no_import_cycles(package: str) -> None:
    assert cycles_in(package) == []


def test_no_sql_in_the_qt_layers() -> None:
    """Views, item models, the map and the plots read through services (and the store): never SQL of their own."""
    wrong = []
    for path in MODULES:
        name = module_name(path)
        if not any(within(name, p) for p in ("app.views", "app.models", "app.map", "app.plots", "app.workers")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("execute", "executemany", "executescript"):
                wrong.append(f"{name}:{node.lineno}")
    assert wrong == []


def test_features_hear_of_the_user_from_the_window() -> None:
    """Only the window listens to the Session (and removes its listener when destroyed); features connect to
    MainWindow.user_changed, so a destroyed feature is never called by a session that outlives it."""
    wrong = [module_name(p) for p in MODULES if within(module_name(p), "app.views")
             and module_name(p) != "app.views.main_window" and "on_user_changed(" in p.read_text(encoding="utf-8")]
    assert wrong == []


def test_views_audit_nothing_themselves() -> None:
    """Every audited act is audited inside a service function (reads of contacts, exports, locks included)."""
    wrong = []
    for path in MODULES:
        if not within(module_name(path), "app.views"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "audit":
                wrong.append(f"{module_name(path)}:{node.lineno}")
    assert wrong == []


# Modules outside app/store that still run SQL of their own (moving it into app/store is the next step for each):
# none may be added, and a module that no longer needs its place here fails the test until it is taken off.
SQL_OUTSIDE_STORE = {
    "app.io.agency_records", "app.io.export", "app.io.pipeline", "app.io.post_records", "app.io.report",
    "app.services.accountability.audit_cli", "app.services.accountability.audit_service",
    "app.services.accountability.auth", "app.services.evidence.retention", "app.services.evidence.verify",
    "app.services.evidence.verify_cli", "app.services.insights.service", "app.services.map.address_search",
    "app.services.program.feed", "app.services.registry.service", "app.services.requests.demo",
}


def test_sql_lives_in_the_store() -> None:
    running = set()
    for path in MODULES:
        name = module_name(path)
        if within(name, "app.store"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("execute", "executemany", "executescript"):
                running.add(name)
    assert running - SQL_OUTSIDE_STORE == set(), "new SQL outside app/store"
    assert SQL_OUTSIDE_STORE - running == set(), "no SQL left there: take it off SQL_OUTSIDE_STORE"


def test_no_feature_attributes_hung_on_the_window() -> None:
    """Features live in window.features (typed), not in attributes set on the window from outside."""
    pattern = re.compile(r"\bwindow_?\.\w+\s*=.*type:\s*ignore\[attr-defined\]")
    wrong = [f"{module_name(p)}:{i}" for p in MODULES if within(module_name(p), "app.views")
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert wrong == []
