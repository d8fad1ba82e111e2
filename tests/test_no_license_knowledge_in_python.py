"""All license knowledge lives in rules/: no license id or alias in Python code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from licensing import load_library

ROOT = Path(__file__).resolve().parent.parent
PYTHON_DIRS = [ROOT / "licensing", ROOT / "cli"]


def _string_constants(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_no_license_id_in_python_code():
    library = load_library()
    # Ids and the aliases that could only mean a license (short generic words
    # such as 'other' or 'unknown' are ordinary English in messages).
    names = set(library.all_ids())
    names |= {a for lic in library.licenses.values() for a in lic.aliases if len(a) > 5 and any(ch.isdigit() or ch == "-" for ch in a)}
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(x) for x in sorted(names, key=len, reverse=True)) + r")(?![\w-])")
    hits = []
    for folder in PYTHON_DIRS:
        for path in folder.rglob("*.py"):
            for line, text in _string_constants(path):
                match = pattern.search(text)
                if match:
                    hits.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)!r}")
    assert not hits, "license ids in Python (they belong in rules/):\n" + "\n".join(hits)
