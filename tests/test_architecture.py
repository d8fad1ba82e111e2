"""The shape of the code, checked: imports go one way along the pipeline,
nothing z3 lives at module level, and the core needs none of the scan's
dependencies."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "licensing"
CLI = ROOT / "cli"

# The pipeline, lowest first: a module may import from its own layer and the
# layers below it, never from a layer above (syntax ← library ← scenario ←
# compiler ← solver ← explain ← engine ← tools ← cli).
LAYERS: list[tuple[str, set[str]]] = [
    ("foundation", {"errors", "inputs", "paths", "nodes", "location", "version", "budget"}),
    ("syntax", {"syntax"}),
    ("library", {"expression", "checker", "cache", "library"}),
    ("scenario", {"scenario"}),
    ("compiler", {"environment", "compiler"}),
    ("solver", {"solver"}),
    ("explain", {"verdict", "wording", "explain"}),
    ("engine", {"matrix", "answers", "engine"}),
    ("tools", {"cases", "show", "render", "repo", "reference", "audit"}),
    ("cli", {"cli", "web"}),
]
RANK = {module: rank for rank, (_, modules) in enumerate(LAYERS) for module in modules}
# The reference evaluator is the oracle the fast path is checked against: it
# may share the library and the input model, never the fast path's stages.
FORBIDDEN = {
    "reference": (
        "licensing.compiler", "licensing.solver", "licensing.explain", "licensing.engine",
        "licensing.scenario.resolve", "licensing.scenario.graph",
    )
}


def _modules() -> list[tuple[str, Path]]:
    found = [(".".join(p.relative_to(ROOT).with_suffix("").parts), p) for p in PACKAGE.rglob("*.py")]
    found += [("licensing.cli." + p.stem, p) for p in CLI.glob("*.py")]
    return found


def _layer_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "licensing":
        return None
    if len(parts) == 1:
        return "__init__"
    return parts[1]


MODULE_NAMES = {p.stem for p in PACKAGE.glob("*.py")} | {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()} | {"cli"}


def _imports(name: str, path: Path) -> list[tuple[int, str]]:
    """Every `licensing…` import anywhere in the file (function-local ones
    too), as absolute dotted names; `from . import x` gives `licensing.x`."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            if node.module is not None:
                out.append((node.lineno, module))
            # the names imported may be modules too (`from . import nodes`)
            # or a package's re-exports (`from ..scenario import resolve`)
            out += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return [(line, module) for line, module in out if module.split(".")[0] == "licensing"]


def test_imports_follow_the_pipeline():
    problems = []
    for name, path in _modules():
        mine = _layer_of(name)
        if mine == "__init__":
            continue  # the package facade re-exports the public names
        for line, imported in _imports(name, path):
            theirs = _layer_of(imported)
            where = f"{path.relative_to(ROOT)}:{line}"
            if any(imported == f or imported.startswith(f + ".") for f in FORBIDDEN.get(mine or "", ())):
                problems.append(f"{where}: {mine} must not use {imported}")
            if imported.count(".") >= 2 and _layer_of(imported.rsplit(".", 1)[0]) in MODULE_NAMES:
                continue  # a name from inside a module, checked as its module
            if theirs == "__init__" or theirs not in MODULE_NAMES:
                problems.append(f"{where}: imports the package facade ({imported}); import the module that defines it")
                continue
            if RANK[theirs] > RANK[mine]:
                problems.append(f"{where}: {mine} imports {imported}, from the {LAYERS[RANK[theirs]][0]} layer above it")
    assert not problems, "\n".join(problems)


def test_every_module_has_a_layer():
    unplaced = sorted({_layer_of(name) for name, _ in _modules()} - set(RANK) - {"__init__", None})
    assert not unplaced, f"modules the layer test does not place: {unplaced}"


def test_no_z3_object_is_built_at_module_level():
    """Every z3 term belongs to one check's context: module-level z3 values
    would be shared between threads (and crash the interpreter)."""
    problems = []
    for name, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            for inner in ast.walk(node) if isinstance(node, (ast.Assign, ast.AnnAssign, ast.Expr)) else ():
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and isinstance(inner.func.value, ast.Name) and inner.func.value.id == "z3":
                    problems.append(f"{path.relative_to(ROOT)}:{inner.lineno}: z3.{inner.func.attr}(…) at module level")
    assert not problems, "\n".join(problems)


def test_the_core_imports_none_of_the_scan_dependencies():
    code = (
        "import sys\n"
        "for blocked in ('huggingface_hub', 'cyclonedx', 'spdx_tools'):\n"
        "    sys.modules[blocked] = None\n"
        "import licensing, licensing.repo\n"
        "from licensing.cli.main import cli\n"
        "v = licensing.check({'components': {'a': {'kind': 'code', 'license': 'MIT'}}, 'use': {'target': 'a', 'actions': ['distribute']}})\n"
        "assert v.verdict == 'allowed', v.verdict\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT / "tests")
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
