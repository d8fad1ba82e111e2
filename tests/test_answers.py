"""Matrix cells answered once and looked up after (`licensing.answers`): the
answer looked up is the answer a check gives, a store nobody trusts is not
read, and only definite answers are kept."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from licensing import cache
from licensing.answers import AnswerStore, store_key
from licensing.engine import Engine
from licensing.matrix import ANSWERS, cell_reason, cell_scenario
from licensing.version import __version__

# code licenses of every shape (permissive, weak and strong copyleft, or-later,
# notice-heavy, proprietary) and model licenses with use restrictions
LICENSES = [
    "MIT", "Apache-2.0", "BSD-4-Clause", "LGPL-2.1-only", "GPL-2.0-only", "GPL-3.0-or-later", "AGPL-3.0-only",
    "MPL-2.0", "EPL-2.0", "OpenSSL", "llama3.1", "CC-BY-NC-4.0",
]


@pytest.fixture()
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.delenv("LICET_NO_CACHE", raising=False)
    monkeypatch.setenv("LICET_CACHE_DIR", str(folder))
    return folder


def test_each_answer_is_the_answer_of_the_cells_own_check(engine: Engine, private_cache: Path) -> None:
    """Verdict and reason of `compatibility` against a full `licet check` of
    the cell's scenario, for every ordered pair of a dozen licenses."""
    fresh = Engine(library=engine.library)
    differing = []
    for outbound in LICENSES:
        for inbound in LICENSES:
            if outbound == inbound:
                continue
            cell = fresh.compatibility(outbound, inbound)
            checked = engine.check(cell_scenario(engine.library, outbound, inbound))
            expected = (ANSWERS[checked.verdict], cell_reason(checked) if checked.verdict != "allowed" else "")
            if (cell.answer, cell.reason) != expected:
                differing.append((outbound, inbound, cell.answer, cell.reason, expected))
    assert not differing


def test_a_second_engine_looks_the_answers_up(engine: Engine, private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Engine(library=engine.library)
    asked = [(o, i) for o in LICENSES[:5] for i in LICENSES[:5] if o != i]
    answers = {pair: first.compatibility(*pair) for pair in asked}
    first.save_answers()
    assert any(p.name.startswith("answers-") for p in private_cache.iterdir())

    second = Engine(library=engine.library)

    def no_solving(*_: object, **__: object) -> None:
        raise AssertionError("a stored answer was worked out again")

    monkeypatch.setattr(Engine, "_cell_conflicts", no_solving)
    monkeypatch.setattr(Engine, "check", no_solving)
    assert {pair: second.compatibility(*pair) for pair in asked} == answers
    assert second.matrix(LICENSES[:5], workers=1).cells == first.matrix(LICENSES[:5], workers=1).cells


def test_a_matrix_from_worker_processes_equals_one_from_this_one(engine: Engine, private_cache: Path) -> None:
    here = Engine(library=engine.library).matrix(LICENSES[:6], workers=1)
    private_cache.joinpath("answers-" + store_key(engine.library.fingerprint) + ".json").unlink()
    pooled = Engine(engine.library.root).matrix(LICENSES[:6], workers=2)
    assert pooled == here


def test_a_forged_store_is_not_read(engine: Engine, private_cache: Path) -> None:
    """A store that claims GPL code may go into an MIT work: read only when
    it carries an HMAC made with the user's own secret key."""
    fingerprint = engine.library.fingerprint
    key_name = store_key(fingerprint)
    maker = Engine(library=engine.library)
    maker.compatibility("MIT", "GPL-2.0-only")
    maker.save_answers()  # makes the folder, the key and the store
    lie = b'[["MIT","GPL-2.0-only","allowed",null]]'
    prefix = f"licet-cache {cache.FORMAT} {__version__}"
    path = private_cache / f"answers-{key_name}.json"

    def signed(secret: bytes) -> bytes:
        mac = hmac.new(secret, f"{prefix}\nanswers-{key_name}\n".encode() + lie, hashlib.sha256).hexdigest()
        return f"{prefix} {mac}\n".encode() + lie

    path.write_bytes(signed(b"k" * cache.KEY_BYTES))
    assert Engine(library=engine.library).compatibility("MIT", "GPL-2.0-only").answer == "No"
    # the control: signed with the user's key, the same bytes are believed
    path.write_bytes(signed((private_cache / cache.KEY_FILE).read_bytes()))
    assert Engine(library=engine.library).compatibility("MIT", "GPL-2.0-only").answer == "Yes"


def test_only_definite_answers_are_kept(engine: Engine, private_cache: Path) -> None:
    store = AnswerStore(engine.library.fingerprint)
    store.put("MIT", "Apache-2.0", "unknown", None)
    store.put("MIT", "GPL-2.0-only", "forbidden", None)
    assert store.get("MIT", "Apache-2.0", reason=False) is None
    assert store.get("MIT", "GPL-2.0-only", reason=False) is not None
    assert store.get("MIT", "GPL-2.0-only", reason=True) is None  # its reason was never worked out
    store.put("MIT", "GPL-2.0-only", "forbidden", "GPL-2.0-only §6 no_further_restrictions")
    assert store.get("MIT", "GPL-2.0-only", reason=True) is not None


def test_a_cell_of_the_same_license_twice_is_same(engine: Engine) -> None:
    assert engine.compatibility("mit", "MIT").answer == "Same"
