"""The shape of the house: no import cycle between the packages of `marketplace`, and the demo's
stories stay out of the product (only `flask seed-demo` reaches them)."""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "marketplace"


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imported(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of the package that `module` imports, anywhere in it (a function-level
    import counts: it is a dependency all the same)."""
    here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            subs = {f"{target}.{alias.name}" for alias in node.names} & modules.keys()
            targets |= subs
            if len(subs) < len(node.names) and target in modules:
                targets.add(target)
    return targets - {module}


def _top(module: str) -> str:
    """The package of the top level a module belongs to (`marketplace.mail.outbox` → mail)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "marketplace"


@cache  # parsing every module takes a second, and eight tests read the same graph
def package_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        for target in _imported(module, path, modules):
            if _top(module) != _top(target):
                graph[_top(module)].add(_top(target))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted({*graph, *(n for targets in graph.values() for n in targets)}):
        if node not in index:
            visit(node)
    return groups


def test_no_package_imports_itself_back():
    """A feature announces (marketplace.events) instead of importing whoever listens; a cycle
    between packages (a → b → … → a) fails here, with the packages in it."""
    assert cycles(package_graph()) == []


def test_the_checker_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize(
    "package", ["auth", "challenges", "engagements", "messaging", "notifications", "projects"]
)
def test_no_feature_imports_the_demo(package):
    """The demo's stories are not product code: only the app (for `flask seed-demo`) uses them."""
    assert "demo" not in package_graph().get(package, set())


def test_only_the_app_imports_the_demo():
    graph = package_graph()
    assert {name for name, targets in graph.items() if "demo" in targets} == {"marketplace"}


def test_every_template_global_is_registered_before_a_template_loads(app, client, make, login):
    """Each template holds its globals in one dict, copied when it loads (web.Templates): a
    global registered later would be missing from the templates loaded before it."""
    login(make.teacher())
    assert client.get("/dashboard").status_code == 200
    loaded = [t for t in app.jinja_env.cache.values() if t is not None]
    assert loaded
    for template in loaded:
        assert app.jinja_env.globals.keys() <= template.globals.keys(), template.name
