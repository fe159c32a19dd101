"""The layers read top to bottom: nothing imports upward, siblings stay apart, no import cycle.

Layers, bottom first (README "Layout"):
0. ``scoring``: the engine; no Flask, SQLAlchemy, Dask or gunicorn either;
1. ``store`` (the article store) and ``training`` (corpus, training, evaluation), apart;
2. ``service`` (HTTP) and ``tension_cli`` (the command line and the bulk runner), apart;
3. ``app.py`` and every ``__main__`` module: entry points, above everything.
A module may import its own package and anything in a lower layer. Imports inside functions
count as much as those at the top of a module. The walk reads the source with ``ast``, so
it needs nothing installed.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"scoring": 0, "store": 1, "training": 1, "service": 2, "tension_cli": 2, "app": 3}
ENTRY = 3
ENGINE_MUST_NOT_IMPORT = {"flask", "flask_cors", "werkzeug", "sqlalchemy", "alembic", "psycopg", "dask",
                          "distributed", "fsspec", "gunicorn", "store", "service", "tension_cli", "training"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    files = {"app": ROOT / "app.py"}
    for package in LAYERS:
        if (ROOT / package).is_dir():
            for path in sorted((ROOT / package).rglob("*.py")):
                if "migrations" not in path.parts:  # alembic's own scripts, run by alembic
                    files[_module_name(path)] = path
    return files


def _imports(name: str, path: Path, modules: set[str]) -> list[tuple[str, int]]:
    """(imported module, line) for every import in the file, resolved to project modules where
    they are ones (``from pkg import sub`` -> ``pkg.sub`` when that is a module)."""
    is_package = path.name == "__init__.py"
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[:len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                full = f"{target}.{alias.name}"
                out.append((full if full in modules else target, node.lineno))
    return out


def _graph():
    sources = _sources()
    modules = set(sources)
    return sources, {name: _imports(name, path, modules) for name, path in sources.items()}


def _rank(module: str) -> int:
    if module.split(".")[-1] == "__main__":
        return ENTRY
    return LAYERS[module.split(".")[0]]


def test_nothing_imports_upward_or_sideways():
    sources, graph = _graph()
    wrong = []
    for name, imports in graph.items():
        top = name.split(".")[0]
        for target, line in imports:
            other = target.split(".")[0]
            if other not in LAYERS or other == top:
                continue
            if _rank(target) >= _rank(name):
                wrong.append(f"{sources[name].relative_to(ROOT)}:{line} imports {target}")
    assert not wrong, "imports that go up or sideways:\n" + "\n".join(wrong)


def test_the_engine_imports_no_application_library():
    sources, graph = _graph()
    wrong = [f"{sources[name].relative_to(ROOT)}:{line} imports {target}"
             for name, imports in graph.items() if name.split(".")[0] == "scoring" and _rank(name) == 0
             for target, line in imports if target.split(".")[0] in ENGINE_MUST_NOT_IMPORT]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle():
    _, graph = _graph()
    edges = {name: sorted({t for t, _ in imports if t in graph and t != name}) for name, imports in graph.items()}
    # Tarjan's strongly connected components
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_the_walk_sees_the_project():
    """The checks above would pass vacuously on an empty graph: make sure they read real imports."""
    _, graph = _graph()
    assert {"scoring.scorer", "tension_cli.bulk", "store.db", "service.api", "training.train"} <= set(graph)
    assert "scoring.features" in {t for t, _ in graph["scoring.model"]}  # from .features import ...
    assert "scoring.model" in {t for t, _ in graph["tension_cli.common"]}  # from scoring.model import ...
    assert "tension_cli.main" in {t for t, _ in graph["scoring.__main__"]}  # an entry point may reach up
