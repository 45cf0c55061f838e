"""No import cycle inside connex_bridge: every module can be imported first, from anywhere.

The graph is read from the source with :mod:`ast`, not by importing it: every ``import`` of a
module of the package counts, at module level and inside functions alike (a function-level import
hides a cycle from the interpreter, not from the design). Imports under ``if TYPE_CHECKING:`` are
left out: they never run. ``from pkg import name`` counts as importing ``pkg.name`` when that is a
submodule, else ``pkg``. Importing ``a.b.c`` also runs the ``__init__`` of ``a`` and ``a.b``, so
those count too, unless they are the importer itself or one of its own packages (which are
always imported first).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import connex_bridge

PACKAGE_ROOT = Path(connex_bridge.__file__).resolve().parent


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module of the package in the directory ``root``, by dotted name."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of ``tree``, skipping the bodies of ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))
    return found


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module → the modules of the package it imports (see the module docstring for the rules)."""
    modules = module_names(root, package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]  # the package relative imports start from
        named: set[str] = set()
        for node in _imports(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                named.update(alias.name for alias in node.names)
                continue
            if node.level:
                base = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            named.add(target)
            named.update(f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in modules)
        own = {name, *_ancestors(name)}
        edges = set()
        for target in named:
            for module in (*_ancestors(target), target):
                if module in modules and module not in own:
                    edges.add(module)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as ``[a, b, …, a]``, or None when it has none."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, remaining = stack[-1]
            if not remaining:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
                continue
            following = remaining.pop(0)
            if following in on_path:
                return [*path[path.index(following) :], following]
            if following in done:
                continue
            stack.append((following, sorted(graph.get(following, ()))))
            path.append(following)
            on_path.add(following)
    return None


def test_connex_bridge_has_no_import_cycle():
    cycle = find_cycle(import_graph(PACKAGE_ROOT, "connex_bridge"))

    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_graph_sees_the_imports_that_matter():
    graph = import_graph(PACKAGE_ROOT, "connex_bridge")

    assert "connex_bridge.conf" in graph["connex_bridge.lockout"]  # module level
    assert "connex_bridge.models" in graph["connex_bridge.sources.base"]  # inside a method
    assert "connex_bridge.wire" in graph["connex_bridge.views"]  # from connex_bridge import <submodule>
    assert "connex_bridge.wire.outbound" in graph["connex_bridge.wire"]


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_a_cycle_is_reported_by_name(tmp_path):
    root = write(
        tmp_path / "shop",
        {
            "__init__.py": "",
            "conf.py": "def source():\n    from shop.sources.base import Source\n    return Source\n",
            "sources/__init__.py": "",
            "sources/base.py": "from ..conf import source\n",
        },
    )

    assert find_cycle(import_graph(root, "shop")) == ["shop.conf", "shop.sources.base", "shop.conf"]


def test_a_cycle_through_a_package_init_or_a_submodule_name_is_reported(tmp_path):
    root = write(
        tmp_path / "shop",
        {
            "__init__.py": "",
            "models.py": "from shop import sources\n",  # from <package> import <submodule>
            "sources/__init__.py": "from shop.sources.base import Source\n",
            "sources/base.py": "import shop.records\n",
            "records.py": "from shop.models import Order\n",
        },
    )

    assert find_cycle(import_graph(root, "shop")) == [
        "shop.models",
        "shop.sources",
        "shop.sources.base",
        "shop.records",
        "shop.models",
    ]


def test_type_checking_imports_and_ancestors_are_not_edges(tmp_path):
    root = write(
        tmp_path / "shop",
        {
            "__init__.py": "from shop.conf import settings\n",
            "conf.py": (
                "from typing import TYPE_CHECKING\n"
                "settings = 1\n"
                "if TYPE_CHECKING:\n"
                "    from shop.sources import Source\n"
            ),
            "sources/__init__.py": "from .base import Source\n",
            "sources/base.py": "from shop.conf import settings\nfrom . import helpers\nclass Source: ...\n",
            "sources/helpers.py": "",
        },
    )

    graph = import_graph(root, "shop")

    assert graph["shop.conf"] == set()
    assert graph["shop.sources.base"] == {"shop.conf", "shop.sources.helpers"}
    assert find_cycle(graph) is None


#: Modules that are test helpers: they may import pytest, pytest-django and factory-boy.
TEST_HELPERS = re.compile(r"^connex_bridge(\.contrib\.\w+)?\.testing(\.|$)")
#: What only the ``test`` extra installs.
TEST_ONLY_DISTRIBUTIONS = {"pytest", "_pytest", "pytest_django", "factory", "hypothesis"}


def top_level_imports(path: Path) -> set[str]:
    """The top-level names of every absolute import in the module (``pytest`` for ``from pytest import x``)."""
    names: set[str] = set()
    for node in _imports(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_nothing_at_run_time_imports_the_test_helpers_or_what_only_the_test_extra_installs():
    modules = module_names(PACKAGE_ROOT, "connex_bridge")
    graph = import_graph(PACKAGE_ROOT, "connex_bridge")
    run_time = sorted(name for name in modules if not TEST_HELPERS.match(name))

    assert "connex_bridge.testing.contract" in modules and "connex_bridge.testing.contract" not in run_time
    assert "connex_bridge.views" in run_time
    helpers_imported = {name: sorted(filter(TEST_HELPERS.match, graph[name])) for name in run_time}
    assert {name: found for name, found in helpers_imported.items() if found} == {}
    test_only = {name: sorted(top_level_imports(modules[name]) & TEST_ONLY_DISTRIBUTIONS) for name in run_time}
    assert {name: found for name, found in test_only.items() if found} == {}


def test_the_test_helpers_are_told_apart_by_their_imports():
    modules = module_names(PACKAGE_ROOT, "connex_bridge")

    assert "pytest" in top_level_imports(modules["connex_bridge.testing.contract"])
    assert "factory" in top_level_imports(modules["connex_bridge.testing.factories"])
    assert TEST_HELPERS.match("connex_bridge.contrib.oscar.testing")
    assert not TEST_HELPERS.match("connex_bridge.contrib.oscar.source")
