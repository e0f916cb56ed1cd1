"""Issue 24's bar counts, printed: re.* calls and inline word lists in the six rule modules,
modules over 600 lines and functions over 100 lines in hoidap/.

An inline word list is a list, tuple or set literal holding at least 3 string constants with letters;
a compiled pattern's alternatives are counted as re.* calls, not as lists.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

RULE_MODULES = (
    "hoidap/service/understanding.py",
    "hoidap/service/answer.py",
    "hoidap/service/extract.py",
    "hoidap/corpus/tasks.py",
    "hoidap/corpus/layout.py",
    "hoidap/corpus/metadata.py",
)
RE_FUNCS = {"compile", "search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split"}


def _is_word(node: ast.AST) -> bool:
    is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
    return is_text and any(c.isalpha() for c in node.value)  # type: ignore[attr-defined]


def rule_counts(path: Path) -> tuple[int, int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    re_calls = lists = 0
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in {"re", "regex"}
            and node.func.attr in RE_FUNCS
        ):
            re_calls += 1
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            if sum(_is_word(e) for e in node.elts) >= 3:
                lists += 1
    return re_calls, lists


def long_units(root: Path, max_module: int = 600, max_function: int = 100):
    modules, functions = [], []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        n = text.count("\n") + 1
        if n > max_module:
            modules.append((str(path), n))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > max_function:
                    functions.append((f"{path}:{node.lineno} {node.name}", length))
    return modules, functions


def main() -> int:
    total_re = total_lists = 0
    for name in RULE_MODULES:
        re_calls, lists = rule_counts(Path(name))
        total_re += re_calls
        total_lists += lists
        print(f"{name}: re.* {re_calls}, inline lists {lists}")
    print(f"rule modules: re.* calls {total_re} (bar 80), inline word lists {total_lists} (bar 10)")
    modules, functions = long_units(Path("hoidap"))
    print(f"modules over 600 lines: {len(modules)}")
    for name, n in modules:
        print(f"  {name} {n}")
    print(f"functions over 100 lines: {len(functions)}")
    for name, n in functions:
        print(f"  {name} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
