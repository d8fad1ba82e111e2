"""The library cache cannot lie (issue 11, item 5).

A poisoned cache (valid JSON, clauses removed, digest recomputed without the
user's key) is ignored; a corrupt, foreign-shaped or other-version cache is
rebuilt; a FIFO or a link to /dev/zero in its place does not hang; a cache
folder another user owns or can write is bypassed; LICET_NO_CACHE turns it off.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import licensing
from licensing import cache
from licensing.library import Library, _load_cached, load_library
from licensing.paths import rules_dir
from licensing.version import __version__

GPL2_APACHE = {
    "components": {
        "core": {"kind": "code", "license": "GPL-2.0-only"},
        "parser": {"kind": "code", "license": "Apache-2.0"},
        "tool": {"kind": "code", "includes": ["core", "parser"]},
    },
    "use": {"target": "tool", "actions": ["distribute"], "commercial": False},
}


@pytest.fixture(scope="module")
def shared_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(rules_dir(), root)
    return root


@pytest.fixture(scope="module")
def built_cache(shared_rules: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder as licet leaves it after one run; each test gets a copy, so only
    the tests that make licet rebuild the cache pay for parsing the rules."""
    template = tmp_path_factory.mktemp("built") / "cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("LICET_NO_CACHE", raising=False)
        patch.setenv("LICET_CACHE_DIR", str(template))
        _load(shared_rules)
    return template


@pytest.fixture
def folder(built_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cache"
    shutil.copytree(built_cache, path)  # modes too
    monkeypatch.delenv("LICET_NO_CACHE", raising=False)
    monkeypatch.setenv("LICET_CACHE_DIR", str(path))
    _load_cached.cache_clear()
    return path


def _load(root: Path) -> Library:
    _load_cached.cache_clear()
    return load_library(root)


def _cache_file(folder: Path, library: Library) -> Path:
    return folder / f"library-{library.fingerprint}.json"


def _sign(key: bytes, cache_key: str, body: bytes, fmt: int = cache.FORMAT, version: str = __version__, kind: str = "library") -> bytes:
    """A cache file as licet writes it: header with an HMAC of header, kind and cache key, and body."""
    prefix = f"licet-cache {fmt} {version}"
    mac = hmac.new(key, f"{prefix}\n{kind}-{cache_key}\n".encode() + body, hashlib.sha256).hexdigest()
    return f"{prefix} {mac}\n".encode() + body


def _sha256(header: str, cache_key: str, body: bytes) -> str:
    return hashlib.sha256(f"{header}\n{cache_key}\n".encode() + body).hexdigest()


def _body(path: Path) -> bytes:
    return path.read_bytes().partition(b"\n")[2]


def _without_clauses(body: bytes, ids: set[str]) -> bytes:
    """The cached payload with every clause of the licenses `ids` removed."""
    payload = json.loads(body)
    for name, value in payload["@dict"]:
        if name == "licenses":
            for license_id, lic in value["@dict"]:
                if license_id in ids:
                    lic["clauses"] = {"@tuple": []}
    return json.dumps(payload, separators=(",", ":")).encode()


def _verdict(library: Library) -> str:
    return str(licensing.check(GPL2_APACHE, library=library, explain=False).verdict)


# ---------------------------------------------------------------- a poisoned cache


def test_the_cache_round_trips(shared_rules: Path, folder: Path) -> None:
    library = _load(shared_rules)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / cache.KEY_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE(_cache_file(folder, library).stat().st_mode) == 0o600
    payload = cache.read(library.fingerprint)
    assert payload is not None  # every node field type is one the decoder checks
    assert _load(shared_rules).licenses == library.licenses
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*.tmp"))


def test_a_poisoned_cache_is_ignored(shared_rules: Path, folder: Path) -> None:
    library = _load(shared_rules)
    assert _verdict(library) == "forbidden"
    path = _cache_file(folder, library)
    poisoned = _without_clauses(_body(path), {"GPL-2.0-only", "Apache-2.0"})
    header = f"licet-cache {cache.FORMAT} {__version__}"
    forgeries = {
        "plain sha256": f"{header} {hashlib.sha256(poisoned).hexdigest()}\n".encode() + poisoned,
        "sha256 with the cache key": f"{header} {_sha256(header, library.fingerprint, poisoned)}\n".encode() + poisoned,
        "HMAC with another key": _sign(b"k" * cache.KEY_BYTES, library.fingerprint, poisoned),
        "old header kept": path.read_bytes().partition(b"\n")[0] + b"\n" + poisoned,
    }
    for how, forged in forgeries.items():
        path.write_bytes(forged)
        assert cache.read(library.fingerprint) is None, how
        reloaded = _load(shared_rules)
        assert reloaded.licenses["GPL-2.0-only"].clauses, how
        assert _verdict(reloaded) == "forbidden", how

    # the control: only the user's secret key makes the same file verify, and then it would lie
    key = (folder / cache.KEY_FILE).read_bytes()
    path.write_bytes(_sign(key, library.fingerprint, poisoned))
    assert _verdict(_load(shared_rules)) == "allowed"
    path.unlink()


def test_a_cache_signed_for_another_key_name_is_ignored(shared_rules: Path, folder: Path) -> None:
    library = _load(shared_rules)
    path = _cache_file(folder, library)
    key = (folder / cache.KEY_FILE).read_bytes()
    path.write_bytes(_sign(key, "0" * 32, _body(path)))  # a valid file for another fingerprint, renamed
    assert cache.read(library.fingerprint) is None


# ---------------------------------------------------------------- a corrupt cache is rebuilt


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


CORRUPTIONS = {
    "empty": lambda key, cache_key, whole: b"",
    "truncated": lambda key, cache_key, whole: whole[: len(whole) // 2],
    "header only": lambda key, cache_key, whole: whole.partition(b"\n")[0] + b"\n",
    "garbage": lambda key, cache_key, whole: os.urandom(4096),
    "nul bytes": lambda key, cache_key, whole: b"\0" * 4096,
    "plain JSON, no header": lambda key, cache_key, whole: whole.partition(b"\n")[2],
    "other format": lambda key, cache_key, whole: _sign(key, cache_key, whole.partition(b"\n")[2], fmt=cache.FORMAT - 1),
    "other version": lambda key, cache_key, whole: _sign(key, cache_key, whole.partition(b"\n")[2], version="0.0.1"),
    # signed with the real key: the decoder itself must refuse these shapes
    "not JSON": lambda key, cache_key, whole: _sign(key, cache_key, b"{not json"),
    "not UTF-8": lambda key, cache_key, whole: _sign(key, cache_key, b'"\xff\xfe"'),
    "unknown node": lambda key, cache_key, whole: _sign(key, cache_key, b'{"@": "os.system", "command": "echo no"}'),
    "unknown field": lambda key, cache_key, whole: _sign(
        key, cache_key, b'{"@dict": [["x", {"@": "Flag", "name": "a", "extra": 1}]]}'
    ),
    "wrong field type": lambda key, cache_key, whole: _sign(key, cache_key, b'{"@dict": [["x", {"@": "Flag", "name": 7}]]}'),
    "wrong tuple item": lambda key, cache_key, whole: _sign(
        key, cache_key, b'{"@dict": [["x", {"@": "AllOf", "items": {"@tuple": ["a"]}}]]}'
    ),
    "missing field": lambda key, cache_key, whole: _sign(key, cache_key, b'{"@dict": [["x", {"@": "Compose", "first": "a"}]]}'),
    "bad pair": lambda key, cache_key, whole: _sign(key, cache_key, b'{"@dict": [["x"]]}'),
    "unhashable key": lambda key, cache_key, whole: _sign(key, cache_key, b'{"@dict": [[[1], 2]]}'),
    "deep nesting": lambda key, cache_key, whole: _sign(key, cache_key, _deep(100_000)),
}


@pytest.mark.parametrize("how", sorted(CORRUPTIONS))
def test_a_corrupt_cache_is_ignored_and_rebuilt(shared_rules: Path, folder: Path, how: str) -> None:
    library = _load(shared_rules)
    path = _cache_file(folder, library)
    key = (folder / cache.KEY_FILE).read_bytes()
    path.write_bytes(CORRUPTIONS[how](key, library.fingerprint, path.read_bytes()))
    assert cache.read(library.fingerprint) is None
    reloaded = _load(shared_rules)
    assert reloaded.licenses == library.licenses
    assert cache.read(library.fingerprint) is not None  # rewritten


def test_a_broken_key_is_replaced(shared_rules: Path, folder: Path) -> None:
    library = _load(shared_rules)
    key_file = folder / cache.KEY_FILE
    key_file.chmod(0o644)  # others could read it: it is no secret any more
    assert cache.read(library.fingerprint) is None
    _load(shared_rules)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert cache.read(library.fingerprint) is not None
    key_file.write_bytes(b"short")
    assert cache.read(library.fingerprint) is None
    _load(shared_rules)
    assert cache.read(library.fingerprint) is not None


def test_a_failed_write_leaves_nothing_behind(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> None:
        raise OSError("disk full")

    before = sorted(folder.iterdir())
    with monkeypatch.context() as patch:
        patch.setattr(cache.os, "replace", refuse)
        cache.write("ab" * 16, {"x": 1})  # no exception
    assert sorted(folder.iterdir()) == before  # no temporary file left behind
    cache.write("ab" * 16, {"x": (1, "a")})
    assert cache.read("ab" * 16) == {"x": (1, "a")}


def test_a_cache_key_that_is_not_a_hash_is_refused(folder: Path) -> None:
    cache.write("../../escape", {"x": 1})
    assert not (folder.parent.parent / "escape.json").exists()
    assert cache.read("../../escape") is None


# ---------------------------------------------------------------- not a regular file: never read, never hangs


def _read_in_subprocess(folder: Path, cache_key: str) -> str:
    """`cache.read` in a child with a timeout, so a hang fails the test instead of stopping it."""
    code = textwrap.dedent(
        f"""
        from licensing import cache
        print(cache.read({cache_key!r}) is None)
        """
    )
    env = {**os.environ, "LICET_CACHE_DIR": str(folder)}
    env.pop("LICET_NO_CACHE", None)
    done = subprocess.run([sys.executable, "-c", code], check=False, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _make_fifo(path: Path) -> None:
    os.mkfifo(path)


def _link_to_dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _make_directory(path: Path) -> None:
    path.mkdir()


def _link_to_valid_copy(path: Path) -> None:
    copy = path.with_name("elsewhere.json")
    shutil.copyfile(path.with_name("saved"), copy)
    path.symlink_to(copy)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
@pytest.mark.parametrize("which", ["cache", "key"])
@pytest.mark.parametrize("make", [_make_fifo, _link_to_dev_zero, _make_directory, _link_to_valid_copy], ids=lambda f: f.__name__[1:])
def test_something_other_than_a_regular_file_is_not_read(shared_rules: Path, folder: Path, which: str, make: Any) -> None:
    library = _load(shared_rules)
    path = _cache_file(folder, library) if which == "cache" else folder / cache.KEY_FILE
    shutil.copyfile(path, path.with_name("saved"))
    path.unlink()
    make(path)
    assert _read_in_subprocess(folder, library.fingerprint) == "True"
    assert cache.read(library.fingerprint) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_a_fifo_cache_does_not_stop_licet(shared_rules: Path, folder: Path) -> None:
    library = _load(shared_rules)
    path = _cache_file(folder, library)
    path.unlink()
    os.mkfifo(path)
    code = f"from licensing.library import load_library; print(len(load_library({str(shared_rules)!r}).licenses))"
    env = {**os.environ, "LICET_CACHE_DIR": str(folder)}
    done = subprocess.run([sys.executable, "-c", code], check=False, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(library.licenses)
    assert stat.S_ISREG(path.lstat().st_mode)  # the FIFO was replaced by a real cache


def test_an_oversized_cache_is_not_read(shared_rules: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = _load(shared_rules)
    size = _cache_file(folder, library).stat().st_size
    monkeypatch.setattr(cache, "MAX_BYTES", size - 1)
    assert cache.read(library.fingerprint) is None
    monkeypatch.setattr(cache, "MAX_BYTES", size)
    assert cache.read(library.fingerprint) is not None


# ---------------------------------------------------------------- the folder must be the user's, and private


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners only")
@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722, 0o1777])
def test_a_folder_others_can_write_is_bypassed(shared_rules: Path, folder: Path, mode: int) -> None:
    library = _load(shared_rules)
    path = _cache_file(folder, library)
    folder.chmod(mode)
    try:
        assert cache.read(library.fingerprint) is None  # a valid cache, but anyone could have put it there
        path.unlink()
        assert _load(shared_rules).licenses == library.licenses  # rules parsed as usual
        assert not path.exists()  # and nothing written
        assert stat.S_IMODE(folder.stat().st_mode) == mode  # nor changed: it is not licet's to fix
    finally:
        folder.chmod(0o700)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners only")
def test_an_own_folder_others_may_read_is_made_private(shared_rules: Path, folder: Path) -> None:
    library = _load(shared_rules)
    folder.chmod(0o755)
    assert cache.read(library.fingerprint) is not None
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners only")
def test_a_folder_owned_by_another_user_is_bypassed(shared_rules: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = _load(shared_rules)
    path = _cache_file(folder, library)
    me = os.getuid()
    monkeypatch.setattr(cache.os, "getuid", lambda: me + 1)  # as seen by someone else, the folder is not theirs
    assert cache.read(library.fingerprint) is None
    path.unlink()
    assert _load(shared_rules).licenses == library.licenses
    assert not path.exists()


def test_a_cache_folder_that_is_a_file_is_bypassed(shared_rules: Path, folder: Path) -> None:
    shutil.rmtree(folder)
    folder.write_text("not a folder", encoding="utf-8")
    assert "MIT" in _load(shared_rules).licenses
    assert folder.read_text(encoding="utf-8") == "not a folder"


# ---------------------------------------------------------------- off switch


def test_no_cache_turns_it_off(shared_rules: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = _load(shared_rules)
    monkeypatch.setenv("LICET_NO_CACHE", "1")
    assert cache.cache_dir() is None
    assert cache.read(library.fingerprint) is None  # even a valid cache is not read
    shutil.rmtree(folder)
    assert _load(shared_rules).licenses == library.licenses
    assert not folder.exists()  # nor written
