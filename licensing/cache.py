"""A cache of the checked library as JSON, so a cold `licet` run skips lark.

Parsing every rule file dominates start-up. The checked AST is written as JSON
under the user's cache folder, keyed by a hash of the grammar, of the checking
code and of every rule file's bytes. The cache decides verdicts, so it is never
trusted blindly:

- The folder must be a directory owned by the user that no one else can write
  (it is created 0700, and an own folder others may only read is narrowed to
  0700). Any other folder is bypassed: the rules are parsed as usual and
  nothing is read from or written to it.
- Each file starts with a header naming the cache format and licet's version,
  and an HMAC-SHA256 of that header, of the cache key and of the JSON body. The
  HMAC key is a random per-user secret in the cache folder (mode 0600). A file
  written by anyone who cannot read that secret (another user, a tool that
  edits the JSON and recomputes a plain hash) does not verify. A plain digest
  would only catch corruption: whoever can write the file can recompute it.
- Only regular files owned by the user, at most `MAX_BYTES` long, are read:
  the path is checked with `lstat` and opened with O_NOFOLLOW | O_NONBLOCK, and
  the open file is checked again, so a FIFO, a device or a symlink to one is
  never read.
- Decoding builds only the known node classes (`nodes.NODE_CLASSES`), with
  exactly their fields and values of their declared types; nothing read is
  ever executed (no pickle).
- Files are written to a temporary file in the same folder and renamed into
  place (`os.replace`), so a reader sees a whole file or none.

Any problem at all (unsafe folder, missing key, bad header or HMAC, other
format or version, wrong shape, unreadable file) means "no cache": `read`
returns None and `write` does nothing. No exception leaves this module, and it
never prints. `LICET_NO_CACHE` turns the cache off.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import tempfile
import types
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from . import nodes as n
from .version import __version__

FORMAT = 3
MAX_BYTES = 32 * 1024 * 1024  # the shipped library's cache is about 0.7 MB
KEY_FILE = "key"
KEY_BYTES = 32
MAGIC = "licet-cache"
_KEY_SHAPE = re.compile(r"[0-9a-f]{1,64}")


def cache_dir() -> Path | None:
    """The configured cache folder, or None when `LICET_NO_CACHE` is set.

    Whether it is safe to use is decided on each read and write."""
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


# ---------------------------------------------------------------- encoding


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


class _Invalid(Exception):
    """The JSON is not something `encode` writes: the cache is ignored."""


Check = Callable[[Any], bool]
_FIELD_CHECKS: dict[type, dict[str, Check]] = {}


def _field_checks(cls: type) -> dict[str, Check]:
    """For each field of a node class, a test that a decoded value has its declared type."""
    known = _FIELD_CHECKS.get(cls)
    if known is None:
        hints = get_type_hints(cls, vars(n))
        known = _FIELD_CHECKS[cls] = {f.name: _check_for(hints[f.name]) for f in fields(cls) if f.init}
    return known


def _check_for(expected: Any) -> Check:
    origin = get_origin(expected)
    if origin is Union or origin is types.UnionType:
        options = [_check_for(option) for option in get_args(expected)]
        return lambda value: any(check(value) for check in options)
    if origin is tuple:
        args = get_args(expected)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _check_for(args[0])
            return lambda value: type(value) is tuple and all(item(v) for v in value)
        items = [_check_for(arg) for arg in args]
        return lambda value: type(value) is tuple and len(value) == len(items) and all(c(v) for c, v in zip(items, value))
    if expected is type(None):
        return lambda value: value is None
    if expected in (str, bool, int):  # JSON gives exactly these types (a bool is not an int here)
        return lambda value: type(value) is expected
    if expected is float:
        return lambda value: type(value) in (int, float)
    if isinstance(expected, type) and is_dataclass(expected):
        return lambda value: isinstance(value, expected)
    return lambda value: False  # a field type this decoder does not know: refuse rather than guess


def decode(value: Any) -> Any:
    """Rebuild what `encode` wrote; raises `_Invalid` (or a ValueError,
    TypeError or RecursionError) on anything else."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is list:
        return [decode(v) for v in value]
    if kind is not dict:
        raise _Invalid(kind.__name__)
    if len(value) == 1:
        if "@tuple" in value:
            items = value["@tuple"]
            if type(items) is not list:
                raise _Invalid("@tuple")
            return tuple([decode(v) for v in items])
        if "@dict" in value:
            pairs = value["@dict"]
            if type(pairs) is not list or not all(type(p) is list and len(p) == 2 for p in pairs):
                raise _Invalid("@dict")
            return {decode(k): decode(v) for k, v in pairs}
    name = value.get("@")
    cls = n.NODE_CLASSES.get(name) if type(name) is str else None
    if cls is None:
        raise _Invalid(f"unknown node {name!r}")
    checks = _field_checks(cls)
    args: dict[str, Any] = {}
    for key, item in value.items():
        if key == "@":
            continue
        check = checks.get(key)
        if check is None:
            raise _Invalid(f"{name} has no field {key!r}")
        decoded = decode(item)
        if not check(decoded):
            raise _Invalid(f"{name}.{key} has the wrong type")
        args[key] = decoded
    return cls(**args)  # a missing field is a TypeError


# ---------------------------------------------------------------- the folder and its key


def _uid() -> int | None:
    """The user's id, or None where files have no POSIX owner (Windows)."""
    getuid = getattr(os, "getuid", None)
    return getuid() if getuid is not None else None


def _private_folder(create: bool) -> Path | None:
    """The cache folder if it is safe to use: a directory owned by the user that
    no one else can write. Created 0700 when `create` and missing."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.stat(folder)  # the folder a symlink names is the one that must be private
        if not stat.S_ISDIR(info.st_mode):
            return None
        uid = _uid()
        if uid is None:
            return folder  # no owners or modes to check; the per-user profile folder is private
        if info.st_uid != uid or info.st_mode & 0o022:
            return None  # someone else's, or someone else can write it: bypass
        if info.st_mode & 0o077:
            os.chmod(folder, 0o700)  # ours, but others may look in: make it private
        return folder
    except OSError:
        return None


def _read_regular(path: Path, limit: int, private: bool = False) -> bytes | None:
    """The bytes of `path` if it is a regular file owned by the user, at most
    `limit` bytes long (and, with `private`, readable by the user only).

    Never follows a symlink and never blocks on a FIFO or a device."""
    try:
        before = os.lstat(path)
        if not _trusted_file(before, limit, private):
            return None
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
        try:
            after = os.fstat(fd)
            if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino) or not _trusted_file(after, limit, private):
                return None  # swapped between the two looks
            chunks: list[bytes] = []
            size = 0
            while size <= limit:
                chunk = os.read(fd, min(1 << 20, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except OSError:
        return None
    data = b"".join(chunks)
    return data if len(data) <= limit else None


def _trusted_file(info: os.stat_result, limit: int, private: bool) -> bool:
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        return False
    uid = _uid()
    if uid is None:
        return True
    return info.st_uid == uid and not (private and info.st_mode & 0o077)


def _read_key(folder: Path) -> bytes | None:
    key = _read_regular(folder / KEY_FILE, KEY_BYTES, private=True)
    return key if key is not None and len(key) == KEY_BYTES else None


def _key(folder: Path, create: bool) -> bytes | None:
    """The user's secret HMAC key, made (mode 0600) when `create` and missing or unusable."""
    key = _read_key(folder)
    if key is not None or not create:
        return key
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".key-", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
        try:
            os.link(temporary, folder / KEY_FILE)  # atomic, and never replaces a key another process just made
        except FileExistsError:
            if _read_key(folder) is None:  # a broken key file: replace it (caches made with it no longer verify)
                os.replace(temporary, folder / KEY_FILE)
    finally:
        try:
            os.unlink(temporary)
        except OSError:
            pass
    return _read_key(folder)


# ---------------------------------------------------------------- reading and writing


def _header(key: bytes, cache_key: str, body: bytes) -> bytes:
    prefix = f"{MAGIC} {FORMAT} {__version__}"
    mac = hmac.new(key, f"{prefix}\n{cache_key}\n".encode(), hashlib.sha256)
    mac.update(body)
    return f"{prefix} {mac.hexdigest()}\n".encode()


KINDS = ("library", "answers")  # what a cache file holds: the checked library; answers to fixed questions


def _path(folder: Path, cache_key: str, kind: str) -> Path:
    assert kind in KINDS, kind
    return folder / f"{kind}-{cache_key}.json"


def read(cache_key: str, kind: str = "library") -> Any | None:
    """The payload cached under `cache_key`, or None when there is no
    trustworthy one (see the module's docstring)."""
    try:
        if not _KEY_SHAPE.fullmatch(cache_key):
            return None
        folder = _private_folder(create=False)
        if folder is None:
            return None
        key = _read_key(folder)
        if key is None:
            return None
        data = _read_regular(_path(folder, cache_key, kind), MAX_BYTES)
        if data is None:
            return None
        header, newline, body = data.partition(b"\n")
        if not newline or not hmac.compare_digest(header + newline, _header(key, f"{kind}-{cache_key}", body)):
            return None  # corrupt, foreign, or from another format or version of licet
        return decode(json.loads(body.decode("utf-8")))
    except Exception:  # noqa: BLE001 - whatever went wrong, the answer is "no cache"
        return None


def write(cache_key: str, payload: Any, kind: str = "library") -> None:
    """Cache `payload` under `cache_key`, atomically; does nothing when the
    folder is not safe or anything fails (a read-only home is no reason to fail)."""
    try:
        if not _KEY_SHAPE.fullmatch(cache_key):
            return
        folder = _private_folder(create=True)
        if folder is None:
            return
        key = _key(folder, create=True)
        if key is None:
            return
        body = json.dumps(encode(payload), separators=(",", ":")).encode("utf-8")
        header = _header(key, f"{kind}-{cache_key}", body)
        if len(header) + len(body) > MAX_BYTES:
            return  # it would never be read back
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(header)
                out.write(body)
            os.replace(temporary, _path(folder, cache_key, kind))
        finally:
            try:
                os.unlink(temporary)  # only still there when something failed
            except OSError:
                pass
    except Exception:  # noqa: BLE001 - the cache is an optimisation, never a reason to fail
        return
