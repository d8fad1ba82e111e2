"""A cache of the checked library as JSON, so a cold `licet` run skips lark.

Parsing every rule file dominates start-up. The checked AST is written as JSON
under the user's cache folder, keyed by a hash of the grammar and of every rule
file's bytes, and read back only into the known node classes: nothing read is
ever executed (no pickle). Any problem with the cache means "parse as usual".
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from . import nodes as n

FORMAT = 2


def cache_dir() -> Path | None:
    if os.environ.get("LICET_NO_CACHE"):
        return None
    explicit = os.environ.get("LICET_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "licet"


# The code that parses and checks rules: a change to it invalidates the cache too.
CHECKING_CODE = [Path(__file__).with_name(name) for name in ("nodes.py", "syntax.py", "checker.py", "library.py", "cache.py")]


def fingerprint(files: list[Path], grammar: Path) -> str:
    digest = hashlib.sha256(f"licet-library-{FORMAT}".encode())
    for path in [*CHECKING_CODE, grammar, *files]:
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def encode(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        out = {"@": type(value).__name__}
        for f in fields(value):
            out[f.name] = encode(getattr(value, f.name))
        return out
    if isinstance(value, tuple):
        return {"@tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"@dict": [[encode(k), encode(v)] for k, v in value.items()]}
    return value


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "@tuple" in value:
            return tuple(decode(v) for v in value["@tuple"])
        if "@dict" in value:
            return {decode(k): decode(v) for k, v in value["@dict"]}
        cls = n.NODE_CLASSES[value["@"]]  # KeyError on anything unknown: the cache is ignored
        return cls(**{k: decode(v) for k, v in value.items() if k != "@"})
    return value


def read(key: str) -> Any | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return decode(json.loads((folder / f"library-{key}.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(key: str, payload: Any) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp", encoding="utf-8") as handle:
            json.dump(encode(payload), handle)
        os.replace(handle.name, folder / f"library-{key}.json")
    except OSError:
        pass  # a read-only home is no reason to fail
