"""Where the shipped grammar and rules live, installed or in a checkout.

An installed package carries them as `licensing/grammars`, `licensing/rules`
and `licensing/examples`;
a checkout (and an editable install) keeps them beside the `licensing` folder.
"""

from __future__ import annotations

from pathlib import Path

from .version import SCHEMA_VERSION

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def rules_dir() -> Path:
    return _shipped("rules")


def examples_dir() -> Path:
    """The example scenarios (`examples/` in a checkout, shipped for `licet serve`)."""
    return _shipped("examples")


def grammar_path() -> Path:
    return _shipped("grammars") / "licet.lark"


def schema_path(version: int | None = None) -> Path:
    """The JSON Schema of the verdict, shipped inside the package."""
    return _PACKAGE / "schemas" / f"verdict-{version or SCHEMA_VERSION}.json"
