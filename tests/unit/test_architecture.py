"""Static checks of the package's shape, read with `ast` from the imported `hoidap` folder.

(a) imports point down the layers, (b) no import cycles between modules, (c) only the CLI touches the
environment, (d) no module locates data from its own `__file__` (one display-only exception).
Imports inside functions count like top-level ones: they run too, only later.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

import hoidap

PKG_DIR = Path(hoidap.__file__).parent
ROOT = "hoidap"

# Layer of a module = its first name under `hoidap` (`hoidap.service.qa` -> "service").
RANK: dict[str, int] = {
    ROOT: 0,  # the package's own __init__ (version only)
    "settings": 0,
    "corpus": 1,
    "indexer": 2,
    "service": 3,
    "api": 4,
    "cli": 4,
    "ui": 4,
    "eval": 4,
}
# Same-rank imports between different top layers: only the CLI composes the others.
ALLOWED_PEERS: dict[str, set[str]] = {"cli": {"api", "ui", "eval"}}

ENV_MODULE_ALLOWED = {"hoidap.cli"}  # sets OMP_WAIT_POLICY before torch starts
ENV_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}
# (module, the module-level name whose value may use __file__): report paths shown relative to it.
FILE_ALLOWED = {("hoidap.eval.report", "PACKAGE_PARENT")}


@dataclass(frozen=True)
class Import:
    """One import of a `hoidap` module by another."""

    importer: str
    target: str
    line: int
    in_function: bool
    code: str

    def __str__(self) -> str:
        where = " (inside a function)" if self.in_function else ""
        return f"{self.importer}:{self.line}{where} `{self.code}` -> {self.target}"


# --- reading the package ----------------------------------------------------------------------------


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG_DIR.rglob("*.py")) if "__pycache__" not in p.parts}


@cache
def tree(module: str) -> ast.Module:
    path = modules()[module]
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def is_ours(name: str | None) -> bool:
    return name is not None and (name == ROOT or name.startswith(ROOT + "."))


def resolve(name: str, known: Iterable[str]) -> str:
    """The longest known module `name` starts with (`hoidap.x.y.f` -> `hoidap.x.y`)."""
    known = set(known)
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        cand = ".".join(parts[:n])
        if cand in known:
            return cand
    return name


def function_nodes(t: ast.AST) -> set[int]:
    """ids of every node inside a function or lambda body."""
    inside: set[int] = set()
    for node in ast.walk(t):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inside.update(id(n) for n in ast.walk(node) if n is not node)
    return inside


def imports_in(module: str, source: ast.Module, known: Iterable[str]) -> list[Import]:
    """Every `hoidap` import in `source` (absolute, relative, and literal `import_module` calls)."""
    known = set(known)
    is_pkg = module in known and modules().get(module, Path()).name == "__init__.py"
    package = module if is_pkg else module.rpartition(".")[0]
    inside = function_nodes(source)
    out: list[Import] = []

    def add(node: ast.stmt | ast.expr, target: str) -> None:
        code = ast.unparse(node).splitlines()[0]
        out.append(Import(module, target, node.lineno, id(node) in inside, code))

    for node in ast.walk(source):
        if isinstance(node, ast.Import):
            for target in sorted({resolve(a.name, known) for a in node.names if is_ours(a.name)}):
                add(node, target)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if not is_ours(base):
                continue
            subs = {f"{base}.{a.name}" for a in node.names}
            for target in sorted({s if s in known else resolve(base, known) for s in subs}):
                add(node, target)
        elif isinstance(node, ast.Call) and node.args:
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
            arg = node.args[0]
            if name in ("import_module", "__import__") and isinstance(arg, ast.Constant):
                if isinstance(arg.value, str) and is_ours(arg.value):
                    add(node, resolve(arg.value, known))
    return out


@cache
def all_imports() -> tuple[Import, ...]:
    known = modules()
    return tuple(i for m in known for i in imports_in(m, tree(m), known))


# --- the rules as functions (so they can be checked on made-up imports too) ---------------------------


def layer_violations(imports: Iterable[Import]) -> list[str]:
    out = []
    for i in imports:
        src, dst = layer(i.importer), layer(i.target)
        if src not in RANK or dst not in RANK:
            continue  # reported by test_every_module_has_a_layer
        if RANK[dst] > RANK[src]:
            out.append(f"{i}: {src} (rank {RANK[src]}) may not import {dst} (rank {RANK[dst]})")
        elif RANK[dst] == RANK[src] and src != dst and dst not in ALLOWED_PEERS.get(src, set()):
            out.append(f"{i}: {src} may not import its peer {dst} (only cli composes api/ui/eval)")
    return out


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per back edge of a depth-first search, each as [a, b, ..., a], without repeats."""
    WHITE, GREY, BLACK = 0, 1, 2
    color = dict.fromkeys(graph, WHITE)
    stack: list[str] = []
    cycles: dict[tuple[str, ...], list[str]] = {}

    def visit(node: str) -> None:
        color[node] = GREY
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if color.get(nxt, WHITE) == GREY:
                ring = stack[stack.index(nxt) :]
                start = ring.index(min(ring))  # rotate so each cycle has one spelling
                key = tuple(ring[start:] + ring[:start])
                cycles.setdefault(key, [*key, key[0]])
            elif color.get(nxt, WHITE) == WHITE:
                visit(nxt)
        stack.pop()
        color[node] = BLACK

    for node in sorted(graph):
        if color[node] == WHITE:
            visit(node)
    return list(cycles.values())


def import_graph(imports: Iterable[Import]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in modules()}
    for i in imports:
        graph.setdefault(i.importer, set()).add(i.target)
        graph.setdefault(i.target, set())
    return graph


def env_uses(module: str, source: ast.Module) -> list[str]:
    """`os.environ` / `os.getenv` / `from os import environ` ... in `source`."""
    os_names = {
        (a.asname or a.name.split(".")[0])
        for n in ast.walk(source)
        if isinstance(n, ast.Import)
        for a in n.names
        if a.name == "os" or a.name.startswith("os.")
    }
    out = []
    for n in ast.walk(source):
        if isinstance(n, ast.ImportFrom) and n.module == "os":
            bad = [a.name for a in n.names if a.name in ENV_NAMES or a.name == "*"]
            if bad:
                out.append(f"{module}:{n.lineno} `{ast.unparse(n)}`")
        elif (
            isinstance(n, ast.Attribute)
            and n.attr in ENV_NAMES
            and isinstance(n.value, ast.Name)
            and n.value.id in os_names
        ):
            out.append(f"{module}:{n.lineno} `{ast.unparse(n)}`")
    return out


def file_uses(module: str, text: str) -> list[str]:
    """References to the module's own `__file__`, outside the allowed module-level assignments."""
    source = ast.parse(text)
    allowed: set[int] = set()
    for stmt in source.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and (module, t.id) in FILE_ALLOWED for t in targets):
                allowed.update(id(n) for n in ast.walk(stmt))
    lines = text.splitlines()
    return [
        f"{module}:{n.lineno} `{lines[n.lineno - 1].strip()}`"
        for n in ast.walk(source)
        if isinstance(n, ast.Name) and n.id == "__file__" and id(n) not in allowed
    ]


# --- the checks over the real package ------------------------------------------------------------------


def test_scanner_sees_the_package() -> None:
    mods = modules()
    assert {"hoidap.settings", "hoidap.cli", "hoidap.service.qa", "hoidap.indexer.search"} <= set(mods)
    found = {(i.importer, i.target): i for i in all_imports()}
    assert ("hoidap.service.qa", "hoidap.indexer.search") in found
    # A deferred import is seen too (the CLI builds the API only when serving).
    assert found[("hoidap.cli", "hoidap.api.app")].in_function
    # `from hoidap.ui.tabs import ask` names the module, not the package.
    assert ("hoidap.ui.app", "hoidap.ui.tabs.ask") in found
    # The allowed environment use is seen (so an empty result elsewhere means something).
    assert env_uses("hoidap.cli", tree("hoidap.cli"))


def test_every_module_has_a_layer() -> None:
    unranked = sorted(m for m in modules() if layer(m) not in RANK)
    assert not unranked, f"modules outside every layer (add them to RANK): {unranked}"


def test_imports_point_down_the_layers() -> None:
    bad = layer_violations(all_imports())
    assert not bad, "imports against the layer order:\n" + "\n".join(bad)


def test_no_import_cycles() -> None:
    imports = all_imports()
    by_edge: dict[tuple[str, str], list[Import]] = {}
    for i in imports:
        by_edge.setdefault((i.importer, i.target), []).append(i)
    cycles = find_cycles(import_graph(imports))
    lines = []
    for c in cycles:
        lines.append("cycle " + " -> ".join(c))
        for a, b in zip(c, c[1:], strict=False):
            lines.extend(f"    {i}" for i in by_edge[(a, b)])
    assert not cycles, "import cycles between modules:\n" + "\n".join(lines)


def test_only_the_cli_reads_the_environment() -> None:
    bad = [u for m in modules() if m not in ENV_MODULE_ALLOWED for u in env_uses(m, tree(m))]
    assert not bad, "environment read outside hoidap/cli.py (pass Settings down instead):\n" + "\n".join(bad)


def test_no_data_located_from_module_file() -> None:
    bad = [u for m, path in modules().items() for u in file_uses(m, path.read_text(encoding="utf-8"))]
    assert not bad, (
        "__file__ used to locate files (use Settings paths or importlib.resources; only "
        "hoidap.eval.report PACKAGE_PARENT may, for display):\n" + "\n".join(bad)
    )


# --- the rule functions flag what they should (guards against checks that pass vacuously) -----------


def _imports_of(module: str, code: str) -> list[Import]:
    return imports_in(module, ast.parse(code), set(modules()) | {module})


@pytest.mark.parametrize(
    ("module", "code", "expected"),
    [
        ("hoidap.corpus.x", "def f():\n    from hoidap.service.qa import QAService\n", "rank 3"),
        ("hoidap.settings", "import hoidap.corpus.parse\n", "rank 1"),
        ("hoidap.api.x", "from hoidap.cli import main\n", "peer cli"),
        ("hoidap.ui.x", "from hoidap import eval\n", "peer eval"),
        ("hoidap.eval.x", "from ..api import app\n", "peer api"),
        ("hoidap.indexer.x", "import importlib\nimportlib.import_module('hoidap.ui.app')\n", "rank 4"),
    ],
)
def test_layer_rule_flags(module: str, code: str, expected: str) -> None:
    bad = layer_violations(_imports_of(module, code))
    assert len(bad) == 1 and expected in bad[0] and module in bad[0], bad


@pytest.mark.parametrize(
    ("module", "code"),
    [
        ("hoidap.cli", "from hoidap.api.app import create_app\nfrom hoidap.eval import runner\n"),
        (
            "hoidap.eval.x",
            "from hoidap.service.qa import QAService\nfrom hoidap.eval.gold import load_gold\n",
        ),
        ("hoidap.service.x", "from hoidap.settings import Settings\nfrom . import records\n"),
        ("hoidap.corpus.x", "import os\nfrom pathlib import Path\n"),
    ],
)
def test_layer_rule_allows(module: str, code: str) -> None:
    assert layer_violations(_imports_of(module, code)) == []


def test_cycle_finder() -> None:
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"a"}}) == [["a", "a"]]
    two = find_cycles({"a": {"b", "d"}, "b": {"a"}, "d": {"e"}, "e": {"d"}})
    assert sorted(two) == [["a", "b", "a"], ["d", "e", "d"]]


def test_env_and_file_rules_flag() -> None:
    code = "import os as o\nfrom os import getenv\nx = o.environ.get('A')\ny = o.getenv('B')\n"
    assert len(env_uses("hoidap.m", ast.parse(code))) == 3
    assert env_uses("hoidap.m", ast.parse("import os\nos.replace('a', 'b')\nos.getpid()\n")) == []
    src = "from pathlib import Path\nPACKAGE_PARENT = Path(__file__).parent\nD = Path(__file__).parent\n"
    assert file_uses("hoidap.eval.report", src) == ["hoidap.eval.report:3 `D = Path(__file__).parent`"]
    assert len(file_uses("hoidap.other", src)) == 2
