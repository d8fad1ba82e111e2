"""Fuzz licet's front doors with malformed and hostile inputs (issue 11, item 6).

Run: python benchmarks/fuzz.py [--count 2000] [--kinds scenario,flags,...] [--jobs 2] [--show N] [--seed 11]
                               [--exec] [--filter REGEX] [--save DIR]

It generates `--count` inputs (with a fixed seed, so two runs see the same
inputs) by mutating real files: scenarios from examples/ and the pinning cases,
rule files and pinning-case files from rules/, model cards, SBOMs and policies
from tests/fixtures/scan/, and `licet` command lines. The mutations are those
strangers' files carry: values of the wrong type, keys deleted or renamed,
nesting a thousand deep, huge integers, nan/inf/1e400, NUL bytes, invalid
UTF-8, unicode and emoji ids, YAML alias bombs, truncation, lists of
thousands; each kind also has hand-written inputs for the root causes found
before (a card `base_model` that is a dict or a path, `tool.licet = 5`,
`--timeout nan`, an SBOM of 4,000 components...).

Each input runs twice, each time in a child process with a watchdog (10 s of
wall time, 1 GiB of address space via `resource.setrlimit`):

- through the `licet` command line: the console script's entry point in a
  child forked from a warm worker (the same code `licet` runs, without paying
  the interpreter's start-up for each of thousands of inputs); with `--exec`,
  the installed `licet` executable itself, through `subprocess`;
- through the Python API (`Engine.check`, `licensing.repo.scan`,
  `licensing.cases`, `quick_scenario`, ...), in a forked child.

Each input is counted in one column, the worst that happened:

  hang         either path outran the watchdog
  memory       either path hit the memory limit (MemoryError, or killed)
  internal     the command said "internal error ... please report it" (exit 3)
  non-licet    the API raised something other than a LicetError
  wrong-exit   an exit code outside 0-3, an input that must be refused was
               not (exit 2 and a LicetError), or the command and the API
               disagree (an error on one side, an answer on the other, or two
               different answers neither of which is "unknown")
  clean        exit 2, the message points at file:line (or names the flag)
  no-location  exit 2 without a place
  answered     exit 0, 1 or 3 with a verdict

The acceptance of issue 11 is 0 in the first five columns. `--show N` prints
N failures with their reproduction; `--save DIR` writes each failing input's
files and command line there.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import multiprocessing
import os
import pickle
import random
import re
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "scan"
KINDS = ("scenario", "flags", "rules", "cases", "cards", "sbom", "policy")
# the share of each kind in --count (about as in the corpus behind issue 11)
SHARE = {"scenario": 0.28, "flags": 0.08, "rules": 0.14, "cases": 0.06, "cards": 0.16, "sbom": 0.14, "policy": 0.14}
OUTCOMES = ("clean", "no-location", "answered", "internal", "non-licet", "hang", "memory", "wrong-exit")
FAILURES = ("internal", "non-licet", "hang", "memory", "wrong-exit")
WATCHDOG_S = 10.0
MEMORY_BYTES = 1 << 30
BUDGET_S = 5  # every check runs with --timeout 5 (timeout_ms=5000): the watchdog then catches a budget that does not hold


# ====================================================================== inputs


@dataclass
class Input:
    kind: str
    label: str
    files: dict[str, bytes]  # relative path in the input's folder → content
    argv: list[str]  # the `licet` arguments, run in the input's folder
    api: dict[str, Any]  # what the API child does (see `_api`)
    expect: str = "any"  # "error": must be refused (exit 2, LicetError)
    rules: bool = False  # the folder gets a copy of the rules under rules/ (files under rules/ replace theirs)
    compare: bool = True  # the command and the API must agree
    index: int = 0


class Raw:
    """A value written as raw text after serialising: what json/yaml would not write."""

    def __init__(self, name: str, yaml_text: str, json_text: str, toml_text: str) -> None:
        self.name, self.yaml, self.json, self.toml = name, yaml_text, json_text, toml_text

    def text(self, fmt: str) -> str:
        return {"yaml": self.yaml, "json": self.json, "toml": self.toml}[fmt]


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    parts = [f"&a0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        parts.append(f"&a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "[" + ", ".join(parts) + "]"


def _raws() -> list[Raw]:
    deep_list = "[" * 1200 + "]" * 1200
    return [
        Raw("nan", ".nan", "NaN", "nan"),
        Raw("inf", ".inf", "Infinity", "inf"),
        Raw("-inf", "-.inf", "-Infinity", "-inf"),
        Raw("1e400", "1.0e+400", "1e400", "1e400"),
        Raw("huge-int", "9" * 5000, "9" * 5000, "9" * 5000),
        Raw("neg-int", "-" + "9" * 40, "-" + "9" * 40, "-" + "9" * 40),
        Raw("deep-list", deep_list, deep_list, deep_list),
        Raw("deep-map", "{a: " * 1000 + "1" + "}" * 1000, '{"a": ' * 1000 + "1" + "}" * 1000, "{a = " * 400 + "1" + "}" * 400),
        Raw("alias-bomb", _alias_bomb(), deep_list, deep_list),
        Raw("bad-date", "2024-02-30", '"2024-02-30"', "2024-02-30"),
        Raw("nul", '"a\\0b"', '"a\\u0000b"', '"a\\u0000b"'),
    ]


RAWS = _raws()
HOSTILE: list[Any] = [
    0, -1, 2**64, 1.5, True, False, None, "", " ", "🦙", "\u202egpl-2.0", "a\u200bb", "x" * 20000, "../x", "/etc/passwd",
    "()", "MIT AND (", "MIT OR", "WITH", "GPL-2.0-only WITH", "(((MIT)))", "a b", " AND ".join(["MIT"] * 300),
    [], {}, [None], [[[]]], {"": None}, {"a": [1, {"b": None}]}, "2024-13-45", dt.date(2024, 1, 1), "yes", "~", "*",
    "{{7*7}}", "${HOME}", "%(x)s", "\\", "'", '"', "\t\n", "NOASSERTION", "NONE", "LicenseRef-", "-", "--",
    "meta-llama/Llama-2-7b-hf", ["MIT", "Apache-2.0"], list(range(2000)), "é" * 100, "\ud7ff", "\x7f", "null",
]
KEYS = ["", "🦙", "\u202ekey", "x" * 500, "__proto__", "constructor", "0", "use", "components", "license", "a.b", "a b", "$ref"]


def hostile(rng: random.Random, fmt: str) -> Any:
    if rng.random() < 0.35:
        raw = rng.choice(RAWS)
        return raw if fmt == "yaml" or raw.name != "alias-bomb" else rng.choice(RAWS[:6])
    return rng.choice(HOSTILE)


# ---------------------------------------------------------------- trees


def _paths(tree: Any, path: tuple[Any, ...] = (), out: list[tuple[Any, ...]] | None = None, limit: int = 4000) -> list[tuple[Any, ...]]:
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if path:
        out.append(path)
    if isinstance(tree, dict):
        for key, value in list(tree.items()):
            _paths(value, path + (key,), out, limit)
    elif isinstance(tree, list):
        for index, value in enumerate(tree[:200]):
            _paths(value, path + (index,), out, limit)
    return out


def _parent(tree: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        tree = tree[step]
    return tree


def mutate_tree(tree: Any, rng: random.Random, fmt: str, prefer: tuple[Any, ...] = ()) -> tuple[Any, str]:
    """One mutation of a parsed document; returns the new tree and what was done."""
    if rng.random() < 0.03:
        return hostile(rng, fmt), "root=hostile"
    paths = _paths(tree)
    if prefer:
        preferred = [p for p in paths if p[: len(prefer)] == prefer]
        if preferred and rng.random() < 0.8:
            paths = preferred
    if not paths:
        return hostile(rng, fmt), "root=hostile"
    path = rng.choice(paths)
    parent = _parent(tree, path)
    step = path[-1]
    value = parent[step]
    where = "/".join(str(p) for p in path)[:60]
    op = rng.choice(["swap", "swap", "swap", "delete", "rename", "wrap", "grow", "container", "deep", "clear", "unicode"])
    if op == "swap" or (op == "rename" and not isinstance(parent, dict)):
        new = hostile(rng, fmt)
        parent[step] = new
        return tree, f"{where}={getattr(new, 'name', None) or _short(new)}"
    if op == "delete":
        del parent[step]
        return tree, f"del {where}"
    if op == "rename":
        key = rng.choice(KEYS)
        parent[key] = parent.pop(step)
        return tree, f"rename {where}->{_short(key)}"
    if op == "wrap":
        parent[step] = [value] if rng.random() < 0.5 else {"x": value}
        return tree, f"wrap {where}"
    if op == "grow":
        if isinstance(value, list) and value:
            parent[step] = (value * (3000 // len(value) + 1))[:3000]
        elif isinstance(value, dict) and value:
            first = next(iter(value.values()))
            parent[step] = {**value, **{f"k{i}": first for i in range(2000)}}
        else:
            parent[step] = [value] * 2000
        return tree, f"grow {where}"
    if op == "container":
        if isinstance(value, dict):
            parent[step] = list(value.values())
        elif isinstance(value, list):
            parent[step] = {str(i): v for i, v in enumerate(value)}
        else:
            parent[step] = {str(value)[:20]: value}
        return tree, f"container {where}"
    if op == "deep":
        parent[step] = RAWS[6] if rng.random() < 0.5 else RAWS[7]
        return tree, f"{where}=deep"
    if op == "clear":
        parent[step] = type(value)() if isinstance(value, (dict, list, str)) else None
        return tree, f"clear {where}"
    parent[step] = rng.choice(["🦙-model", "mod\u0301el", "\u202eevil", "名前", "a\u200bb", "Ⅻ", "ǅ", "\ufeffx"])
    return tree, f"{where}=unicode"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."


def dump(tree: Any, fmt: str, rng: random.Random) -> bytes:
    """The tree as YAML, JSON or TOML text, with the raw values written in."""
    raws: dict[str, Raw] = {}

    def mark(node: Any) -> Any:
        if isinstance(node, Raw):
            token = f"RAWMARK{len(raws)}ZZ"
            raws[token] = node
            return token
        if isinstance(node, dict):
            return {mark(k) if isinstance(k, Raw) else k: mark(v) for k, v in node.items()}
        if isinstance(node, list):
            return [mark(v) for v in node]
        return node

    marked = mark(tree)
    if fmt == "yaml":
        text = yaml.safe_dump(marked, sort_keys=False, allow_unicode=rng.random() < 0.7, width=1 << 30,
                              default_flow_style=rng.choice([False, None]))
        for token, raw in raws.items():
            text = text.replace(token, raw.yaml)
    elif fmt == "json":
        text = json.dumps(marked, indent=2, ensure_ascii=rng.random() < 0.5, default=str)
        for token, raw in raws.items():
            text = text.replace(f'"{token}"', raw.json).replace(token, raw.json)
    else:
        text = toml_dump(marked)
        for token, raw in raws.items():
            text = text.replace(f'"{token}"', raw.toml).replace(token, raw.toml)
    return text.encode("utf-8", "surrogatepass")


def toml_dump(data: Any) -> str:
    """Just enough TOML: tables of tables, the rest inline."""
    if not isinstance(data, dict):
        return f"value = {_toml_value(data)}\n"
    lines: list[str] = []

    def table(prefix: tuple[str, ...], node: dict[Any, Any]) -> None:
        inner = [(k, v) for k, v in node.items() if isinstance(v, dict) and v and len(prefix) < 3]
        if prefix:
            lines.append("[" + ".".join(_toml_key(p) for p in prefix) + "]")
        for key, value in node.items():
            if (key, value) in inner or value is None:
                continue
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
        lines.append("")
        for key, value in inner:
            table(prefix + (str(key),), value)

    table((), data)
    return "\n".join(lines)


def _toml_key(key: Any) -> str:
    key = str(key)
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(value), str(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None) + "}"
    if value is None:
        return '""'
    return json.dumps(str(value), ensure_ascii=False)


# ---------------------------------------------------------------- text mutations


def mutate_text(data: bytes, rng: random.Random, comment: bytes = b"#") -> tuple[bytes, str]:
    op = rng.choice(["truncate", "truncate", "nul", "bad-utf8", "flip", "del-line", "dup-line", "swap-lines", "bom", "crlf",
                     "tab", "long-line", "big", "cr"])
    at = rng.randrange(len(data) + 1) if data else 0
    lines = data.split(b"\n")
    if op == "truncate":
        return data[:at], f"truncate@{at}"
    if op == "nul":
        return data[:at] + b"\x00" + data[at:], f"nul@{at}"
    if op == "bad-utf8":
        return data[:at] + rng.choice([b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]) + data[at:], f"bad-utf8@{at}"
    if op == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 5)):
            if out:
                out[rng.randrange(len(out))] = rng.choice(b'{}[]:,"\'-&*!|>#%@`\\\t\n =()')
        return bytes(out), "flip"
    if op in ("del-line", "dup-line", "swap-lines") and len(lines) > 1:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        if op == "del-line":
            del lines[i]
        elif op == "dup-line":
            lines.insert(i, lines[i])
        else:
            lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines), f"{op}@{i}"
    if op == "bom":
        return b"\xef\xbb\xbf" + data, "bom"
    if op == "crlf":
        return data.replace(b"\n", b"\r\n"), "crlf"
    if op == "cr":
        return data.replace(b"\n", b"\r"), "cr"
    if op == "tab":
        i = rng.randrange(len(lines))
        lines[i] = b"\t" + lines[i]
        return b"\n".join(lines), f"tab@{i}"
    if op == "long-line":
        i = rng.randrange(len(lines))
        lines.insert(i, comment + b"x" * 300_000)
        return b"\n".join(lines), f"long-line@{i}"
    if op == "big":
        return data + b"\n" + (comment + b" " + b"y" * 100 + b"\n") * 25_000, "big"
    return data, "same"


# ---------------------------------------------------------------- sources


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _scenario_sources() -> list[tuple[str, Any]]:
    out = [(p.name, _yaml(p)) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    bench = ROOT / "benchmarks" / "three-components.yaml"
    if bench.exists():
        out.append((bench.name, _yaml(bench)))
    for path in sorted((ROOT / "tests" / "scenarios").rglob("*.cases.yaml"))[:12]:
        try:
            cases = _yaml(path).get("cases") or []
        except Exception:  # noqa: BLE001 - a file being edited elsewhere
            continue
        for case in cases[:4]:
            if isinstance(case, dict) and isinstance(case.get("scenario"), dict):
                out.append((f"{path.name}#{case.get('name', '')[:20]}", case["scenario"]))
    return [(name, tree) for name, tree in out if isinstance(tree, dict)]


def _folder_files(folder: Path, prefix: str = "repo/") -> dict[str, bytes]:
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.stat().st_size < 2_000_000:
            out[prefix + path.relative_to(folder).as_posix()] = path.read_bytes()
    return out


FRONT = re.compile(rb"\A(---\r?\n)(.*?)(\r?\n---[ \t]*\r?\n?)", re.S)
CHECK = ["check", "--timeout", str(BUDGET_S)]
SCAN = ["scan", "--timeout", str(BUDGET_S), "repo"]
SCAN_API = {"fn": "scan", "path": "repo"}


@dataclass
class Sources:
    scenarios: list[tuple[str, Any]] = field(default_factory=list)
    lic_files: list[Path] = field(default_factory=list)
    cases_files: list[Path] = field(default_factory=list)
    card_folders: list[Path] = field(default_factory=list)
    sbom_folders: list[Path] = field(default_factory=list)
    policy_folders: list[Path] = field(default_factory=list)
    rules: Path = ROOT / "rules"

    @classmethod
    def load(cls, rules: Path) -> Sources:
        folders = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
        return cls(
            scenarios=_scenario_sources(),
            lic_files=sorted(p for p in rules.rglob("*.lic")),
            cases_files=sorted(rules.rglob("*.cases.yaml")),
            card_folders=[p for p in folders if (p / "README.md").exists()],
            sbom_folders=[p for p in folders if any(p.glob("*.json")) and not (p / "README.md").exists()],
            policy_folders=[p for p in folders if (p / "licet.yaml").exists() or (p / "pyproject.toml").exists()],
            rules=rules,
        )


# ---------------------------------------------------------------- kinds


def _structured(rng: random.Random, tree: Any, fmt: str, prefer: tuple[Any, ...] = ()) -> tuple[bytes, str]:
    tree = json.loads(json.dumps(tree, default=str))  # a private copy, dates as text
    labels = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        tree, label = mutate_tree(tree, rng, fmt, prefer)
        labels.append(label)
    data = dump(tree, fmt, rng)
    if rng.random() < 0.15:
        data, label = mutate_text(data, rng, b"#" if fmt != "json" else b" ")
        labels.append(label)
    return data, "; ".join(labels)


def _chain(n: int) -> dict[str, Any]:
    components = {f"c{i}": {"kind": "code", "license": "MIT", "includes": [f"c{i + 1}"]} for i in range(n)}
    components[f"c{n}"] = {"kind": "code", "license": "Apache-2.0"}
    return {"components": components, "use": {"target": "c0", "actions": ["distribute"]}}


def _scenario_input(name: str, text: bytes, label: str, fmt: str = "yaml", expect: str = "any") -> Input:
    file = "s.json" if fmt == "json" else "s.yaml"
    return Input("scenario", f"{name}: {label}", {file: text}, [*CHECK, file], {"fn": "check_file", "path": file}, expect=expect)


def scenario_specials(src: Sources) -> list[Input]:
    chatbot = (ROOT / "examples" / "chatbot.yaml").read_text(encoding="utf-8")
    nested = "components: " + "{a: " * 1000 + "1" + "}" * 1000 + "\nuse: {target: a}\n"
    bomb = f"x: {_alias_bomb()}\n" + chatbot
    waiver = chatbot + "waivers:\n  - {component: base, by: me, reason: fuzz, expires: 2024-02-30}\n"
    huge = chatbot.replace("5000000", "9" * 5000)
    nan = chatbot.replace("5000000", ".nan")
    return [
        _scenario_input("chain", yaml.safe_dump(_chain(1000)).encode(), "includes chain 1000 deep"),
        _scenario_input("chain", yaml.safe_dump(_chain(3000)).encode(), "includes chain 3000 deep"),
        _scenario_input("nested", nested.encode(), "YAML nested 1000 deep"),
        _scenario_input("bomb", bomb.encode(), "alias bomb"),
        _scenario_input("waiver", waiver.encode(), "expires 2024-02-30"),
        _scenario_input("huge", huge.encode(), "fact of 5000 digits"),
        _scenario_input("nan", nan.encode(), "fact .nan"),
        _scenario_input("inf", chatbot.replace("5000000", "1.0e+400").encode(), "fact 1e400"),
        _scenario_input("paren", chatbot.replace("MIT OR Apache-2.0", "'()'").encode(), "license ()"),
        _scenario_input("paren", chatbot.replace("MIT OR Apache-2.0", "'((((MIT'").encode(), "license ((((MIT"),
        _scenario_input("deep-expr", chatbot.replace("MIT OR Apache-2.0", "'" + "(" * 800 + "MIT" + ")" * 800 + "'").encode(),
                        "license nested 800"),
    ]


def scenario_input(src: Sources, rng: random.Random) -> Input:
    name, tree = rng.choice(src.scenarios)
    if rng.random() < 0.25:
        text = yaml.safe_dump(tree, sort_keys=False, allow_unicode=True).encode()
        data, label = mutate_text(text, rng)
        return _scenario_input(name, data, label)
    fmt = "json" if rng.random() < 0.2 else "yaml"
    data, label = _structured(rng, tree, fmt)
    return _scenario_input(name, data, label, fmt)


# flags ---------------------------------------------------------------

LICENSES = ["MIT", "Apache-2.0", "GPL-2.0-only", "llama2", "CC-BY-NC-4.0", "gpl-3.0+", "MIT OR Apache-2.0", "", "()", "MIT AND (",
            "🦙", "x" * 5000, "GPL-2.0-only WITH", "NOASSERTION", "acme-eula", "-", "--help", "a\u202eb", " AND ".join(["MIT"] * 200)]
TIMEOUTS = ["5", "0", "-1", "nan", "inf", "-inf", "1e400", "0.0001", "abc", "", "86401", "1e-9", "NaN", "0x10"]
FACT_VALUES = ["5000000", "nan", "inf", "-inf", "1e400", "-1", "0", "1_000", "1,000", "abc", "", "true", "9" * 5000, "1e308", "-0"]
BAD_NUMBERS = {"nan", "inf", "-inf", "1e400", "NaN", "9" * 5000}


def flags_input(src: Sources, rng: random.Random) -> Input:
    pick = rng.random()
    if pick < 0.08:
        lic = rng.choice(LICENSES)
        return Input("flags", f"show {_short(lic)}", {}, ["show", lic], {"fn": "show", "id": lic})
    if pick < 0.12:
        a, b = rng.choice(LICENSES[:6]), rng.choice(LICENSES)
        # an id spelled like an option (--help) is an option to the command, not an id: only the API sees it as one
        return Input("flags", f"matrix {_short(a)} {_short(b)}", {}, ["matrix", "--format", "csv", a, b], {"fn": "matrix", "ids": [a, b]},
                     compare=not any(x.startswith("-") for x in (a, b)))
    if pick < 0.2:
        timeout = rng.choice(TIMEOUTS)
        expect = "error" if timeout not in ("5", "0.0001", "NaN", "0x10", "1e-9") else "any"
        expect = "error" if timeout in ("0", "-1", "nan", "inf", "-inf", "1e400", "abc", "", "86401", "NaN", "0x10") else expect
        return Input("flags", f"scan --timeout {timeout}", {"repo/README.md": b"---\nlicense: mit\n---\n"},
                     ["scan", "--timeout", timeout, "repo"], {"fn": "scan", "path": "repo", "timeout": timeout}, expect=expect, compare=False)
    argv = ["check"]
    kwargs: dict[str, Any] = {"code": [], "weights": [], "base": [], "data": []}
    for flag in rng.sample(["code", "weights", "base", "data"], rng.randint(1, 3)):
        lic = rng.choice(LICENSES)
        argv += [f"--{flag}", lic]
        kwargs[flag].append(lic)
    labels = []
    expect = "any"
    if rng.random() < 0.5:
        action = rng.choice(["serve", "distribute", "fly", "", "🦙", "run"])
        argv += ["--use", action]
        kwargs["actions"] = [action]
    if rng.random() < 0.3:
        argv.append(rng.choice(["--commercial", "--non-commercial"]))
        kwargs["commercial"] = argv[-1] == "--commercial"
    if rng.random() < 0.2:
        purpose = rng.choice(["research", "military", "", "🦙", "x" * 300])
        argv += ["--purpose", purpose]
        kwargs["purposes"] = [purpose]
    if rng.random() < 0.5:
        key = rng.choice(["licensee.monthly-active-users", "licensee.revenue", "nope", "", "🦙", "a=b"])
        value = rng.choice(FACT_VALUES)
        argv += ["--fact", f"{key}={value}"]
        kwargs["fact"] = (key, value)
        labels.append(f"--fact {_short(key)}={_short(value)}")
        if value.lower() in BAD_NUMBERS or value.lower() in ("nan", "inf", "-inf") or value == "1e400":
            expect = "error"
    if rng.random() < 0.2:
        value = rng.choice(["yes", "no", "maybe", "", "🦙"])
        argv += ["--assume", f"{rng.choice(['x', 'patent-grant', ''])}={value}"]
        kwargs["assume"] = argv[-1]
    if rng.random() < 0.2:
        lic = rng.choice(LICENSES)
        argv += ["--release-license", lic]
        kwargs["release_license"] = lic
    timeout = str(BUDGET_S)
    if rng.random() < 0.3:
        timeout = rng.choice(TIMEOUTS)
        labels.append(f"--timeout {timeout}")
        if timeout in ("0", "-1", "nan", "inf", "-inf", "1e400", "abc", "", "86401", "NaN", "0x10"):
            expect = "error"
    argv += ["--timeout", timeout]
    if rng.random() < 0.2:
        argv += ["--format", rng.choice(["json", "xml", "text"])]
    kwargs["timeout"] = timeout
    label = " ".join(_short(a) if len(a) > 24 else a for a in argv[1:12])
    return Input("flags", label, {}, argv, {"fn": "quick", **kwargs}, expect=expect, compare=False)


def flags_specials(src: Sources) -> list[Input]:
    out = []
    for timeout in ("nan", "inf", "-1", "0", "1e400"):
        out.append(Input("flags", f"--timeout {timeout}", {}, ["check", "--weights", "MIT", "--timeout", timeout],
                         {"fn": "quick", "code": [], "weights": ["MIT"], "base": [], "data": [], "timeout": timeout}, expect="error", compare=False))
    for value in ("nan", "inf", "1e400", "-inf", "9" * 5000):
        out.append(Input("flags", f"--fact x={_short(value)}", {},
                         ["check", "--weights", "llama2", "--use", "serve", "--fact", f"licensee.monthly-active-users={value}"],
                         {"fn": "quick", "code": [], "weights": ["llama2"], "base": [], "data": [], "actions": ["serve"],
                          "fact": ("licensee.monthly-active-users", value), "timeout": "5"}, expect="error", compare=False))
    return out


# rules ----------------------------------------------------------------

LIC_TOKEN = re.compile(r'"[^"\n]*"|[A-Za-z_][\w.+-]*|\d+(?:\.\d+)?|[{}(),§>]')
LIC_HOSTILE = ['"', '""', '"\x00"', "9" * 5000, "1e400", "nan", "inf", "-1", "{", "}", "(", ")", "not", "when", "and", "or",
               "license", "clause", "§", "\x00", "ñame", "🦙", "x" * 3000, '"' + "x" * 100_000 + '"', "require", "forbid", ",", "in", "{}"]


def _license_id(text: str) -> str | None:
    found = re.search(r'^license\s+"([^"]+)"', text, re.M)
    return found.group(1) if found else None


def _rules_input(src: Sources, path: Path, data: bytes, label: str, expect: str = "any", extra: dict[str, bytes] | None = None) -> Input:
    rel = path.relative_to(src.rules).as_posix()
    text = path.read_text(encoding="utf-8")
    lic = _license_id(text) or "MIT"
    kind = {"data": "data", "model": "weights"}.get(rel.split("/")[0], "code")
    scenario = {"components": {"lib": {"kind": kind, "license": lic}, "app": {"kind": "code", "license": "MIT", "includes": ["lib"]}},
                "use": {"target": "app", "actions": ["distribute", "serve"], "commercial": True}}
    files = {f"rules/{rel}": data, "s.yaml": yaml.safe_dump(scenario).encode(), **(extra or {})}
    return Input("rules", f"{rel}: {label}", files, ["check", "--rules", "rules", "--timeout", str(BUDGET_S), "s.yaml"],
                 {"fn": "check_file", "path": "s.yaml", "rules": "rules"}, expect=expect, rules=True)


def rules_input(src: Sources, rng: random.Random) -> Input:
    path = rng.choice([p for p in src.lic_files if p.name != "vocabulary.lic"] if rng.random() < 0.9 else src.lic_files)
    text = path.read_text(encoding="utf-8")
    pick = rng.random()
    if pick < 0.35:
        data, label = mutate_text(text.encode(), rng, b"#")
        return _rules_input(src, path, data, label)
    if pick < 0.45:
        conditions = [m for m in re.finditer(r"when (.+)$", text, re.M)]
        if conditions:
            found = rng.choice(conditions)
            depth = rng.choice([200, 600, 1500, 5000])
            deep = ("(" * depth + found.group(1) + ")" * depth) if rng.random() < 0.5 else ("not " * depth + "(" + found.group(1) + ")")
            new = text[: found.start(1)] + deep + text[found.end(1):]
            return _rules_input(src, path, new.encode(), f"condition {depth} deep")
    tokens = list(LIC_TOKEN.finditer(text))
    out = text
    labels = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        if not tokens:
            break
        token = rng.choice(tokens)
        op = rng.choice(["replace", "replace", "delete", "duplicate"])
        start, end = token.span()
        if end > len(out):
            continue
        if op == "replace":
            new = rng.choice(LIC_HOSTILE)
            out = out[:start] + new + out[end:]
            labels.append(f"{_short(token.group(0))}->{_short(new)}")
        elif op == "delete":
            out = out[:start] + out[end:]
            labels.append(f"del {_short(token.group(0))}")
        else:
            out = out[:start] + token.group(0) + " " + out[start:]
            labels.append(f"dup {_short(token.group(0))}")
        tokens = list(LIC_TOKEN.finditer(out))
    return _rules_input(src, path, out.encode("utf-8", "surrogatepass"), "; ".join(labels))


def rules_specials(src: Sources) -> list[Input]:
    mit = src.rules / "code" / "mit.lic"
    out = []
    if mit.exists():
        text = mit.read_text(encoding="utf-8")
        out.append(_rules_input(src, mit, text.encode(), "a second license \"MIT\" block", expect="error",
                                extra={"rules/code/zz-second-mit.lic": text.replace("clause notice", "clause other").encode()}))
        for depth in (600, 3000):
            deep = text.replace("when distribute", "when " + "(" * depth + "distribute" + ")" * depth)
            out.append(_rules_input(src, mit, deep.encode(), f"({depth} parentheses)"))
            deep = text.replace("when distribute", "when " + "not " * depth + "not distribute")
            out.append(_rules_input(src, mit, deep.encode(), f"not x{depth}"))
    return out


# cases ----------------------------------------------------------------


def cases_input(src: Sources, rng: random.Random) -> Input:
    path = rng.choice(src.cases_files)
    rel = path.relative_to(src.rules).as_posix()
    try:
        tree = _yaml(path)
    except Exception:  # noqa: BLE001 - a file being edited elsewhere
        tree = {"cases": []}
    if isinstance(tree, dict) and isinstance(tree.get("cases"), list):
        tree["cases"] = tree["cases"][:2]  # two cases: each input stays a second or so
    if rng.random() < 0.3:
        data, label = mutate_text(yaml.safe_dump(tree, sort_keys=False, allow_unicode=True).encode(), rng)
    else:
        data, label = _structured(rng, tree, "yaml")
    return Input("cases", f"{rel}: {label}", {f"rules/{rel}": data}, ["test", f"rules/{rel}"],
                 {"fn": "cases", "path": f"rules/{rel}", "rules": "rules"}, rules=True)


def cases_specials(src: Sources) -> list[Input]:
    rel = "code/mit.cases.yaml"
    bodies = {"a list": b"- a\n- b\n", "cases: 5": b"cases: 5\n", "cases: [5]": b"cases: [5]\n", "expect: []": b"cases:\n- {name: x, scenario: {}, expect: []}\n",
              "scenario: 5": b"cases:\n- {name: x, scenario: 5, expect: {verdict: allowed}}\n",
              "name: {a: 1}": b"cases:\n- {name: {a: 1}, scenario: {}, expect: {verdict: allowed}}\n",
              "expect.conflicts: 5": b"cases:\n- {name: x, scenario: {components: {a: {kind: code, license: MIT}}, use: {target: a}}, expect: {verdict: allowed, conflicts: 5}}\n",
              "outcome: 5": b"cases:\n- {name: x, scenario: {components: {a: {kind: code, license: MIT}}, use: {target: a}}, expect: {verdict: allowed}, outcome: 5}\n",
              "empty": b""}
    return [Input("cases", f"{rel}: {label}", {f"rules/{rel}": body}, ["test", f"rules/{rel}"],
                  {"fn": "cases", "path": f"rules/{rel}", "rules": "rules"}, rules=True) for label, body in bodies.items()]


# cards ----------------------------------------------------------------


def _card_with(front: bytes, body: bytes = b"# a model\n") -> bytes:
    return b"---\n" + front + (b"" if front.endswith(b"\n") else b"\n") + b"---\n" + body


def cards_input(src: Sources, rng: random.Random) -> Input:
    folder = rng.choice(src.card_folders)
    files = _folder_files(folder)
    cards = [name for name in files if name.endswith("README.md")]
    target = "repo/README.md" if rng.random() < 0.8 or len(cards) == 1 else rng.choice(cards)
    data = files[target]
    found = FRONT.match(data)
    if found and rng.random() < 0.75:
        try:
            tree = yaml.safe_load(found.group(2).decode("utf-8"))
        except yaml.YAMLError:
            tree = None
        if isinstance(tree, dict):
            prefer = ("base_model",) if "base_model" in tree and rng.random() < 0.4 else ()
            front, label = _structured(rng, tree, "yaml", prefer)
            files[target] = _card_with(front, data[found.end():])
            return Input("cards", f"{folder.name}/{target[5:]}: {label}", files, SCAN, SCAN_API)
    files[target], label = mutate_text(data, rng)
    return Input("cards", f"{folder.name}/{target[5:]}: {label}", files, SCAN, SCAN_API)


BASE_MODELS: list[tuple[str, str]] = [
    ("dict", "{name: meta-llama/Llama-2-7b-hf}"), ("list of dicts", "[{name: a/b}, {id: c/d}]"), ("../x", "../x"),
    ("/etc/passwd", "/etc/passwd"), ("space", "'meta llama/x'"), ("emoji", "'🦙/llama'"), ("empty", "''"), ("a/b/c", "a/b/c"),
    ("a--b", "a--b"), ("a..b", "a..b"), ("x.git", "owner/x.git"), ("long", "'" + "a" * 200 + "'"), ("nul", '"a\\0b"'),
    ("newline", '"a\\nb"'), ("date", "2024-01-01"), ("number", "123"), ("bool", "true"), ("nested list", "[[a/b]]"),
    ("list with junk", "[a/b, {x: 1}, '', null, 5]"), ("unicode", "'名前/モデル'"), ("rtl", "'\u202eevil/model'"),
    ("tilde", "'~/x'"), ("dot", "'.'"), ("hidden", "'.hidden'"), ("url", "'https://huggingface.co/a/b'"),
    ("backslash", "'a\\\\b'"), ("hundreds", "[" + ", ".join(f"org/m{i}" for i in range(300)) + "]"),
]


def cards_specials(src: Sources) -> list[Input]:
    out = []
    for label, value in BASE_MODELS:
        for key in ("base_model", "datasets"):
            front = f"license: mit\n{key}: {value}\n".encode()
            out.append(Input("cards", f"{key}: {label}", {"repo/README.md": _card_with(front)}, SCAN, SCAN_API))
    for label, front in {"license dict": b"license: {a: 1}\n", "license list of dicts": b"license: [{a: 1}, mit]\n",
                         "license_name dict": b"license: other\nlicense_name: {a: 1}\n", "relation dict": b"license: mit\nbase_model: a/b\nbase_model_relation: {x: 1}\n",
                         "front matter list": b"- a\n- b\n", "front matter scalar": b"hello\n", "alias bomb": f"license: mit\nx: {_alias_bomb()}\n".encode(),
                         "deep": ("license: mit\nbase_model: " + "[" * 1200 + "a/b" + "]" * 1200 + "\n").encode()}.items():
        out.append(Input("cards", label, {"repo/README.md": _card_with(front)}, SCAN, SCAN_API))
    return out


# sboms ----------------------------------------------------------------


def sbom_input(src: Sources, rng: random.Random) -> Input:
    folder = rng.choice(src.sbom_folders)
    files = _folder_files(folder)
    target = rng.choice([name for name in files if name.endswith(".json")])
    data = files[target]
    if rng.random() < 0.7:
        try:
            tree = json.loads(data)
        except ValueError:
            tree = None
        if tree is not None:
            files[target], label = _structured(rng, tree, "json")
            return Input("sbom", f"{folder.name}: {label}", files, SCAN, SCAN_API)
    files[target], label = mutate_text(data, rng, b" ")
    return Input("sbom", f"{folder.name}: {label}", files, SCAN, SCAN_API)


def big_cyclonedx(n: int) -> bytes:
    ids = ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC"]
    components = [{"type": "library", "bom-ref": f"pkg:pypi/p{i}@1.0", "name": f"p{i}", "version": "1.0",
                   "licenses": [{"license": {"id": ids[i % 4]}}]} for i in range(n)]
    dependencies = [{"ref": "root", "dependsOn": [f"pkg:pypi/p{i}@1.0" for i in range(0, n, 2)]}]
    dependencies += [{"ref": f"pkg:pypi/p{i}@1.0", "dependsOn": [f"pkg:pypi/p{i + 1}@1.0"]} for i in range(0, n - 1, 2)]
    return json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
                       "metadata": {"component": {"type": "application", "bom-ref": "root", "name": "app", "licenses": [{"license": {"id": "MIT"}}]}},
                       "components": components, "dependencies": dependencies}, indent=2).encode()


def big_spdx(n: int) -> bytes:
    ids = ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC"]
    packages = [{"SPDXID": "SPDXRef-root", "name": "app", "downloadLocation": "NOASSERTION", "licenseConcluded": "MIT"}]
    packages += [{"SPDXID": f"SPDXRef-p{i}", "name": f"p{i}", "versionInfo": "1.0", "downloadLocation": "NOASSERTION",
                  "licenseConcluded": ids[i % 4], "licenseDeclared": ids[i % 4]} for i in range(n)]
    relationships = [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-root"}]
    relationships += [{"spdxElementId": "SPDXRef-root", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": f"SPDXRef-p{i}"} for i in range(0, n, 2)]
    return json.dumps({"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "x",
                       "documentNamespace": "https://example.com/x", "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: fuzz"]},
                       "packages": packages, "relationships": relationships}, indent=2).encode()


def sbom_specials(src: Sources) -> list[Input]:
    cdx = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
           "metadata": {"component": {"type": "application", "bom-ref": "root", "name": "app"}},
           "components": [{"type": "library", "bom-ref": "a", "name": "a", "licenses": [{"license": {"id": "MIT"}}]}]}
    wrong: dict[str, Any] = {
        "components dict": {"components": {"a": 1}}, "components str": {"components": "abc"}, "components [1]": {"components": [1, None, "x"]},
        "licenses str": {"components": [{"type": "library", "name": "a", "licenses": "MIT"}]},
        "license id 5": {"components": [{"type": "library", "name": "a", "licenses": [{"license": {"id": 5}}]}]},
        "bom-ref 5": {"components": [{"type": "library", "name": "a", "bom-ref": 5}]},
        "name null": {"components": [{"type": "library", "name": None}]},
        "modelCard list": {"components": [{"type": "machine-learning-model", "name": "m", "modelCard": []}]},
        "modelParameters str": {"components": [{"type": "machine-learning-model", "name": "m", "modelCard": {"modelParameters": "x"}}]},
        "datasets dict": {"components": [{"type": "machine-learning-model", "name": "m", "modelCard": {"modelParameters": {"datasets": {"a": 1}}}}]},
        "dataset name dict": {"components": [{"type": "machine-learning-model", "name": "m", "modelCard": {"modelParameters": {"datasets": [{"name": {"a": 1}}]}}}]},
        "dataset ref list": {"components": [{"type": "machine-learning-model", "name": "m", "modelCard": {"modelParameters": {"datasets": [{"ref": ["a"]}]}}}]},
        "dependencies dict": {"dependencies": {"ref": "a"}}, "dependsOn str": {"dependencies": [{"ref": "root", "dependsOn": "a"}]},
        "metadata list": {"metadata": []}, "metadata.component str": {"metadata": {"component": "x"}},
        "specVersion list": {"specVersion": [1]}, "nested components dict": {"components": [{"type": "library", "name": "a", "components": {"b": 1}}]},
        "deep components": {"components": json.loads("[" + '{"type": "library", "name": "a", "components": [' * 300 + "]}" * 300 + "]")},
    }
    out = []
    for label, patch in wrong.items():
        doc = {**cdx, **patch}
        out.append(Input("sbom", f"CycloneDX {label}", {"repo/bom.cdx.json": json.dumps(doc, indent=2).encode()}, SCAN, SCAN_API))
    spdx = json.loads(big_spdx(2))
    for label, patch in {"packages dict": {"packages": {"a": 1}}, "packages [1]": {"packages": [1]}, "relationships str": {"relationships": "x"},
                         "licenseConcluded 5": {"packages": [{**spdx["packages"][0], "licenseConcluded": 5}]},
                         "SPDXID list": {"packages": [{**spdx["packages"][0], "SPDXID": ["x"]}]},
                         "license ()": {"packages": [{**spdx["packages"][0], "licenseConcluded": "()"}]},
                         "creationInfo null": {"creationInfo": None}}.items():
        out.append(Input("sbom", f"SPDX {label}", {"repo/x.spdx.json": json.dumps({**spdx, **patch}, indent=2).encode()}, SCAN, SCAN_API))
    for n in (1000, 4000):
        out.append(Input("sbom", f"CycloneDX of {n} components", {"repo/bom.cdx.json": big_cyclonedx(n)}, SCAN, SCAN_API))
        out.append(Input("sbom", f"SPDX of {n} packages", {"repo/x.spdx.json": big_spdx(n)}, SCAN, SCAN_API))
    return out


# policies ----------------------------------------------------------------


def policy_input(src: Sources, rng: random.Random) -> Input:
    folder = rng.choice(src.policy_folders)
    files = _folder_files(folder)
    names = [n for n in ("repo/licet.yaml", "repo/pyproject.toml") if n in files]
    target = rng.choice(names)
    data = files[target]
    fmt = "toml" if target.endswith(".toml") else "yaml"
    if rng.random() < 0.75:
        import tomllib

        tree = tomllib.loads(data.decode()) if fmt == "toml" else yaml.safe_load(data)
        files[target], label = _structured(rng, tree, fmt, ("tool", "licet") if fmt == "toml" else ())
    else:
        files[target], label = mutate_text(data, rng)
    return Input("policy", f"{folder.name}/{target[5:]}: {label}", files, SCAN, SCAN_API)


def policy_specials(src: Sources) -> list[Input]:
    project = b'[project]\nname = "acme"\nlicense = "MIT"\n\n'
    errors = {
        "tool.licet = 5": b"[tool]\nlicet = 5\n", "tool.licet = 'x'": b'[tool]\nlicet = "x"\n', "tool.licet = []": b"[tool]\nlicet = []\n",
        "use = 5": b"[tool.licet]\nuse = 5\n", "use.actions = 5": b"[tool.licet.use]\nactions = 5\n",
        "use.facts nan": b"[tool.licet.use]\nfacts = {\"licensee.monthly-active-users\" = nan}\n",
        "use.facts inf": b"[tool.licet.use]\nfacts = {\"licensee.monthly-active-users\" = inf}\n",
        "use.facts 1e400": b"[tool.licet.use]\nfacts = {\"licensee.monthly-active-users\" = 1e400}\n",
        "overrides = 5": b"[tool.licet]\noverrides = 5\n",
        "override of an uninstalled package, unknown license": b'[tool.licet.overrides]\n"not-installed-pkg" = { license = "NOT-A-LICENSE" }\n',
        "override of an uninstalled package, ()": b'[tool.licet.overrides]\n"not-installed-pkg" = { license = "()" }\n',
        "override of an uninstalled package, kind": b'[tool.licet.overrides]\n"not-installed-pkg" = { license = "MIT", kind = "spaceship" }\n',
        "override = 5": b'[tool.licet.overrides]\n"x" = 5\n', "waivers = 5": b"[tool.licet]\nwaivers = 5\n",
        "waiver expires 2024-02-30": b'[[tool.licet.waivers]]\ncomponent = "x"\nby = "me"\nreason = "r"\nexpires = "2024-02-30"\n',
        "bundle = 'yes please'": b'[tool.licet]\nbundle = "yes please"\n', "python = 5": b"[tool.licet]\npython = 5\n",
        "cards = 5": b"[tool.licet]\ncards = 5\n", "sbom-scope = 5": b'[tool.licet]\n"sbom-scope" = 5\n',
        "kind = spaceship": b'[tool.licet]\nkind = "spaceship"\n', "license = ()": b'[tool.licet]\nlicense = "()"\n',
        "use.actions = [fly]": b'[tool.licet.use]\nactions = ["fly"]\n', "assume = 5": b"[tool.licet]\nassume = 5\n",
    }
    out = [Input("policy", f"pyproject {label}", {"repo/pyproject.toml": project + body}, SCAN, SCAN_API, expect="error")
           for label, body in errors.items()]
    out.append(Input("policy", "pyproject tool = 5", {"repo/pyproject.toml": b"tool = 5\n" + project}, SCAN, SCAN_API, expect="error"))
    anything = {"project = 5": b"project = 5\n", "project.license = 5": b"[project]\nname = \"a\"\nlicense = 5\n",
                "project.license = {file = 5}": b"[project]\nname = \"a\"\nlicense = {file = 5}\n", "project.name = []": b"[project]\nname = []\nlicense = \"MIT\"\n",
                "project.dependencies = 5": b"[project]\nname = \"a\"\ndependencies = 5\n",
                "sbom = ['../x']": project + b'[tool.licet]\nsbom = ["../x.json"]\n', "cards = ['/etc']": project + b'[tool.licet]\ncards = ["/etc"]\n',
                "python.environment = '/'": project + b'[tool.licet.python]\nenvironment = "/"\n',
                "python.requirements = ['/etc/passwd']": project + b'[tool.licet.python]\nrequirements = ["/etc/passwd"]\n'}
    out += [Input("policy", f"pyproject {label}", {"repo/pyproject.toml": body}, SCAN, SCAN_API) for label, body in anything.items()]
    yaml_errors = {"licet.yaml list": b"- a\n", "licet.yaml use: 5": b"use: 5\n", "licet.yaml overrides nan": b"overrides: {x: {license: .nan}}\n",
                   "licet.yaml alias bomb": f"x: {_alias_bomb()}\n".encode()}
    out += [Input("policy", label, {"repo/licet.yaml": body, "repo/README.md": _card_with(b"license: mit\n")}, SCAN, SCAN_API, expect="error")
            for label, body in yaml_errors.items()]
    return out


GENERATORS: dict[str, tuple[Callable[[Sources], list[Input]], Callable[[Sources, random.Random], Input]]] = {
    "scenario": (scenario_specials, scenario_input),
    "flags": (flags_specials, flags_input),
    "rules": (rules_specials, rules_input),
    "cases": (cases_specials, cases_input),
    "cards": (cards_specials, cards_input),
    "sbom": (sbom_specials, sbom_input),
    "policy": (policy_specials, policy_input),
}


def generate(src: Sources, count: int, kinds: list[str], seed: int) -> list[Input]:
    """`count` inputs over `kinds`: each kind's hand-written inputs first, then mutations.
    Input i of a kind depends only on the seed, the kind and i."""
    total_share = sum(SHARE[k] for k in kinds)
    out: list[Input] = []
    for kind in kinds:
        n = max(1, round(count * SHARE[kind] / total_share))
        specials, mutant = GENERATORS[kind]
        inputs = specials(src)[:n]
        for index in range(len(inputs), n):
            rng = random.Random(f"{seed}:{kind}:{index}")
            inputs.append(mutant(src, rng))
        for index, item in enumerate(inputs):
            item.index = index
        out += inputs
    return out


# ====================================================================== running

_STATE: dict[str, Any] = {}


def _warm(work: str, snapshot: str, use_exec: bool) -> None:
    """A worker: the libraries loaded and the default engine built once, so each forked child starts warm."""
    _STATE.update(work=Path(work), snapshot=Path(snapshot), exec=use_exec)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import licensing.cli.main  # noqa: F401

    import licensing
    import licensing.cases  # noqa: F401
    import licensing.render.scan  # noqa: F401
    import licensing.render.text  # noqa: F401
    import licensing.repo  # noqa: F401
    import licensing.show  # noqa: F401

    for module in ("cyclonedx.model.bom", "spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser", "huggingface_hub"):
        try:
            __import__(module)
        except ImportError:
            pass
    licensing.default_engine()
    try:
        licensing.load_library(snapshot)
    except Exception:  # noqa: BLE001 - reported by the inputs themselves
        pass


def _in_child(fn: Callable[[], dict[str, Any]], seconds: float = WATCHDOG_S, memory: int = MEMORY_BYTES) -> dict[str, Any]:
    """`fn()` in a forked child with a wall-time watchdog and an address-space limit."""
    read_end, write_end = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        try:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            result = fn()
        except MemoryError:
            result = {"outcome": "memory"}
        except BaseException as err:  # noqa: BLE001 - reported to the parent
            result = {"outcome": "crash", "error": f"{type(err).__name__}: {str(err)[:300]}"}
        try:
            data = pickle.dumps(result)
        except Exception as err:  # noqa: BLE001
            data = pickle.dumps({"outcome": "crash", "error": f"unpicklable result: {err}"})
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        os._exit(0)
    os.close(write_end)
    chunks: list[bytes] = []
    timed_out = False
    deadline = started + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_end], [], [], left)
        if ready:
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    os.close(read_end)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    elapsed = time.monotonic() - started
    if timed_out:
        return {"outcome": "hang", "seconds": elapsed}
    if not chunks:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        return {"outcome": "died", "signal": sig, "status": status, "seconds": elapsed}
    try:
        result = pickle.loads(b"".join(chunks))
    except Exception as err:  # noqa: BLE001
        result = {"outcome": "died", "error": f"garbled result: {err}"}
    result["seconds"] = elapsed
    return result


def _tail(text: str, limit: int = 4000) -> str:
    return text if len(text) <= limit else text[: limit // 2] + "\n[...]\n" + text[-limit // 2:]


def _cli_in_process(argv: list[str], folder: Path) -> dict[str, Any]:
    os.chdir(folder)
    out_fd = os.open(folder / ".stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err_fd = os.open(folder / ".stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(null, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    from licensing.cli.main import cli

    code: Any = 0
    try:
        cli.main(args=argv, prog_name="licet")
    except SystemExit as exit_:
        code = exit_.code
    except BaseException:  # noqa: BLE001 - what Python would print, and its exit code
        traceback.print_exc()
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # noqa: BLE001
        pass
    rc = 0 if code is None else code if isinstance(code, int) else 1
    return {"outcome": "exit", "rc": rc, "stdout": _tail((folder / ".stdout").read_text(errors="replace")),
            "stderr": _tail((folder / ".stderr").read_text(errors="replace"))}


def _cli_exec(argv: list[str], folder: Path) -> dict[str, Any]:
    command = Path(sys.executable).parent / "licet"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))

    started = time.monotonic()
    try:
        done = subprocess.run([str(command), *argv], cwd=folder, capture_output=True, timeout=WATCHDOG_S, preexec_fn=limit,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        return {"outcome": "hang", "seconds": time.monotonic() - started}
    stderr = done.stderr.decode(errors="replace")
    if done.returncode < 0:
        return {"outcome": "died", "signal": -done.returncode, "stderr": _tail(stderr), "seconds": time.monotonic() - started}
    return {"outcome": "exit", "rc": done.returncode, "stdout": _tail(done.stdout.decode(errors="replace")), "stderr": _tail(stderr),
            "seconds": time.monotonic() - started}


def _float(text: str) -> float:
    return float(text.replace("_", "").replace(",", ""))


def _api(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The input through the Python API; only a LicetError may come out."""
    os.chdir(folder)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)
    os.dup2(null, 2)
    import licensing
    from licensing.errors import LicetError
    from licensing.verdict import EXIT_CODES

    try:
        fn = spec["fn"]
        if fn == "check_file":
            engine = licensing.Engine(spec["rules"]) if spec.get("rules") else licensing.default_engine()
            scenario, source = licensing.read_scenario_file(spec["path"])
            verdict = engine.check(scenario, source=source, name=spec["path"], timeout_ms=BUDGET_S * 1000)
            return {"outcome": "ok", "code": EXIT_CODES[verdict.verdict], "verdict": verdict.verdict}
        if fn == "scan":
            from licensing.repo import scan

            timeout = spec.get("timeout")
            timeout_ms = BUDGET_S * 1000 if timeout is None else _timeout_ms(timeout)
            report = scan(spec["path"], timeout_ms=timeout_ms)
            return {"outcome": "ok", "code": report.exit_code, "verdict": report.verdict.verdict}
        if fn == "cases":
            from licensing.cases import read_cases, run_case

            engine = licensing.Engine(spec["rules"])
            results = [run_case(case, engine) for case in read_cases(Path(spec["path"]))]
            return {"outcome": "ok", "code": 0 if all(r.passed for r in results) else 1, "verdict": "cases"}
        if fn == "show":
            from licensing.show import describe_license

            describe_license(licensing.default_engine().library, spec["id"])
            return {"outcome": "ok", "code": 0, "verdict": "shown"}
        if fn == "matrix":
            licensing.default_engine().matrix(spec["ids"], reasons=False)
            return {"outcome": "ok", "code": 0, "verdict": "matrix"}
        if fn == "quick":
            from licensing.cli.quick import quick_scenario

            facts: dict[str, Any] = {}
            if "fact" in spec:
                key, value = spec["fact"]
                try:
                    facts[key] = _float(value)
                except ValueError:
                    facts[key] = value
            assume = dict([spec["assume"].split("=", 1)]) if "assume" in spec else None
            scenario = quick_scenario(code=spec["code"], weights=spec["weights"], base=spec["base"], data=spec["data"],
                                      actions=spec.get("actions", ()), commercial=spec.get("commercial"), purposes=spec.get("purposes", ()),
                                      facts=facts or None, assume=assume, release_license=spec.get("release_license"))
            verdict = licensing.check(scenario, timeout_ms=_timeout_ms(spec.get("timeout", str(BUDGET_S))))
            return {"outcome": "ok", "code": EXIT_CODES[verdict.verdict], "verdict": verdict.verdict}
        raise AssertionError(f"unknown API call {fn}")
    except LicetError as err:
        return {"outcome": "licet", "code": 2, "located": bool(err.line), "error": f"{err.code}: {err.message[:300]}"}
    except MemoryError:
        return {"outcome": "memory"}
    except RecursionError as err:
        return {"outcome": "other", "error": f"RecursionError: {str(err)[:200]}", "where": _where()}
    except Exception as err:  # noqa: BLE001 - this is what the fuzzer looks for
        return {"outcome": "other", "error": f"{type(err).__name__}: {str(err)[:300]}", "where": _where()}


def _timeout_ms(text: str) -> Any:
    """The API's counterpart of --timeout SECONDS: what a caller converting it naively would pass."""
    try:
        seconds = _float(text)
    except ValueError:
        return text  # a string where a number belongs
    try:
        return round(seconds * 1000)
    except (OverflowError, ValueError):
        return seconds * 1000  # nan or inf, as a float


def _where() -> str:
    frames = traceback.extract_tb(sys.exc_info()[2])
    ours = [f for f in frames if "/licensing/" in f.filename or "/cli/" in f.filename] or frames
    last = ours[-1]
    return f"{Path(last.filename).name}:{last.lineno} in {last.name}"


def _materialize(item: Input, folder: Path) -> None:
    if item.rules:
        shutil.copytree(_STATE["snapshot"], folder / "rules", copy_function=os.link)
    for rel, data in item.files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()  # a hard link into the snapshot: replaced, never written through
        path.write_bytes(data)


def run_input(item: Input) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"{item.kind}-{item.index}-", dir=_STATE["work"]))
    started = time.monotonic()
    try:
        _materialize(item, folder)
        if _STATE["exec"]:
            cli = _cli_exec(item.argv, folder)
        else:
            cli = _in_child(lambda: _cli_in_process(item.argv, folder))
        api = _in_child(lambda: _api(item.api, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    outcome, why = classify(item, cli, api)
    return {"kind": item.kind, "index": item.index, "label": item.label, "outcome": outcome, "why": why, "cli": cli, "api": api,
            "seconds": time.monotonic() - started}


def run_batch(items: list[Input]) -> list[dict[str, Any]]:
    return [run_input(item) for item in items]


LOCATED = re.compile(r"(?m)^\S[^\n]*?:\d+(?::\d+)?: error:")


def classify(item: Input, cli: dict[str, Any], api: dict[str, Any]) -> tuple[str, str]:
    stderr = cli.get("stderr", "")
    if cli["outcome"] == "hang" or api["outcome"] == "hang":
        return "hang", f"{'command' if cli['outcome'] == 'hang' else 'API'} ran past {WATCHDOG_S:g} s"
    if "memory" in (cli["outcome"], api["outcome"]) or "MemoryError" in stderr or (api["outcome"] == "died" and api.get("signal") == signal.SIGKILL):
        return "memory", "past the memory limit"
    if cli["outcome"] == "exit" and ("internal error" in stderr or "Traceback (most recent call last)" in stderr):
        return "internal", _last_lines(stderr)
    if api["outcome"] in ("other", "crash", "died"):
        return "non-licet", f"{api.get('error') or 'the API child died (signal %s)' % api.get('signal')} at {api.get('where', '?')}"
    if cli["outcome"] != "exit":
        return "wrong-exit", f"the command died ({cli.get('signal')})"
    rc = cli["rc"]
    if rc not in (0, 1, 2, 3):
        return "wrong-exit", f"exit code {rc}"
    if item.expect == "error" and (rc != 2 or api["outcome"] != "licet"):
        return "wrong-exit", f"accepted what must be refused: exit {rc}, API {api['outcome']} {api.get('verdict', '')}"
    if item.compare:
        if api["outcome"] == "licet" and rc != 2:
            return "wrong-exit", f"the API refused ({api.get('error')}) but the command exited {rc}"
        if api["outcome"] == "ok" and rc == 2:
            return "wrong-exit", f"the command refused but the API answered {api.get('verdict')}: {_last_lines(stderr)}"
        if api["outcome"] == "ok" and rc != api["code"] and 3 not in (rc, api["code"]):
            return "wrong-exit", f"the command exited {rc}, the API answered {api.get('verdict')}"
    if rc == 2:
        located = bool(LOCATED.search(stderr)) or (item.kind == "flags" and bool(re.search(r"--[a-z]|'[A-Z_]+'", stderr)))
        return ("clean" if located else "no-location"), _last_lines(stderr, 2)
    return "answered", f"exit {rc}"


def _last_lines(text: str, n: int = 3) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " | ".join(line.strip()[:200] for line in lines[:n])


# ====================================================================== report


def report(results: list[dict[str, Any]], kinds: list[str], seconds: float, show: int, save: Path | None, inputs: dict[tuple[str, int], Input]) -> int:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        table[result["kind"]][result["outcome"]] += 1
    width = max(len(k) for k in kinds) + 2
    header = f"{'kind':<{width}}{'inputs':>7}" + "".join(f"{o:>12}" for o in OUTCOMES) + f"{'API exc.':>10}{'s/input':>9}"
    print(header)
    print("-" * len(header))
    total: Counter[str] = Counter()
    for kind in kinds:
        counts = table[kind]
        total.update(counts)
        mine = [r for r in results if r["kind"] == kind]
        api_exceptions = sum(1 for r in mine if r["api"]["outcome"] in ("other", "crash", "died"))
        mean = sum(r["seconds"] for r in mine) / max(1, len(mine))
        print(f"{kind:<{width}}{sum(counts.values()):>7}" + "".join(f"{counts[o]:>12}" for o in OUTCOMES) + f"{api_exceptions:>10}{mean:>9.2f}")
    print("-" * len(header))
    api_total = sum(1 for r in results if r["api"]["outcome"] in ("other", "crash", "died"))
    print(f"{'total':<{width}}{sum(total.values()):>7}" + "".join(f"{total[o]:>12}" for o in OUTCOMES) + f"{api_total:>10}")
    print("(each input counts once, in the worst column; 'API exc.' counts the inputs whose API call raised a non-LicetError, whatever the command did)")
    slowest = sorted(results, key=lambda r: -r["seconds"])[:5]
    print(f"\n{len(results)} inputs in {seconds:.0f} s; slowest: " + ", ".join(f"{r['kind']}#{r['index']} {r['seconds']:.1f}s" for r in slowest))
    failures = [r for r in results if r["outcome"] in FAILURES]
    for result in failures[:show]:
        item = inputs[(result["kind"], result["index"])]
        print(f"\n[{result['outcome']}] {result['kind']}#{result['index']}: {result['label'][:200]}")
        print(f"  licet {' '.join(_short(a) if len(a) > 40 else a for a in item.argv)}  (API: {item.api.get('fn')})")
        print(f"  {result['why'][:600]}")
    if save is not None and failures:
        save.mkdir(parents=True, exist_ok=True)
        for result in failures:
            item = inputs[(result["kind"], result["index"])]
            folder = save / f"{result['kind']}-{result['index']}-{result['outcome']}"
            folder.mkdir(exist_ok=True)
            for rel, data in item.files.items():
                path = folder / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            (folder / "REPRO.txt").write_text(
                f"{result['label']}\n{result['outcome']}: {result['why']}\n\n"
                + ("(needs a copy of rules/ under rules/, with these files over it)\n" if item.rules else "")
                + "licet " + " ".join(item.argv) + f"\nAPI: {json.dumps(item.api)}\n", encoding="utf-8")
        print(f"\nfailing inputs written under {save}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000, help="how many inputs in all (default 2000)")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of {', '.join(KINDS)}")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--show", type=int, default=10, help="print this many failures (default 10)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--exec", dest="use_exec", action="store_true", help="run the installed `licet` executable for each input (slower)")
    parser.add_argument("--filter", help="only the inputs whose label matches this regular expression")
    parser.add_argument("--save", type=Path, help="write each failing input's files and command line under this folder")
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        parser.error(f"unknown kinds {unknown}; choose from {', '.join(KINDS)}")
    if sys.platform == "win32":
        parser.error("the watchdog needs fork and resource limits (POSIX)")

    base = Path(tempfile.mkdtemp(prefix="licet-fuzz-"))
    try:
        snapshot = base / "rules"
        shutil.copytree(ROOT / "rules", snapshot)  # rules/ may be edited meanwhile: every input sees this copy
        (base / "work").mkdir()
        cache = base / "cache"
        cache.mkdir(mode=0o700)
        os.environ.update(LICET_CACHE_DIR=str(cache), HF_HUB_OFFLINE="1", HF_HUB_DISABLE_TELEMETRY="1")
        sources = Sources.load(snapshot)
        inputs = generate(sources, args.count, kinds, args.seed)
        if args.filter:
            inputs = [i for i in inputs if re.search(args.filter, i.label)]
        print(f"{len(inputs)} inputs ({', '.join(f'{k} {sum(1 for i in inputs if i.kind == k)}' for k in kinds)}), "
              f"seed {args.seed}, {args.jobs} jobs, {'exec' if args.use_exec else 'fork'}", file=sys.stderr)
        started = time.monotonic()
        batches = [inputs[i:i + 4] for i in range(0, len(inputs), 4)]
        random.Random(args.seed).shuffle(batches)  # mix slow and fast kinds across workers
        results: list[dict[str, Any]] = []
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(args.jobs, mp_context=context, initializer=_warm,
                                                    initargs=(str(base / "work"), str(snapshot), args.use_exec)) as pool:
            futures = [pool.submit(run_batch, batch) for batch in batches]
            for future in concurrent.futures.as_completed(futures):
                results += future.result()
                if len(results) % 100 < 4:
                    print(f"  {len(results)}/{len(inputs)} after {time.monotonic() - started:.0f} s", file=sys.stderr)
        results.sort(key=lambda r: (KINDS.index(r["kind"]), r["index"]))
        by_key = {(i.kind, i.index): i for i in inputs}
        return report(results, kinds, time.monotonic() - started, args.show, args.save, by_key)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
