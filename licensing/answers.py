"""Answers to the matrix's fixed question, kept between runs.

A matrix cell always asks the same question of two licenses (see
`licensing.matrix`), so its answer depends only on the rules and on the code
that decides: once worked out it can be looked up, as flict looks its cells up
in OSADL's table, except that here the table is licet's own answer, made from
the rules on this machine and thrown away when they change.

The store is a file of the library cache's kind (`licensing.cache`: a private
folder, an HMAC per file, JSON only, never trusted blindly), keyed by the rules'
fingerprint and a digest of the deciding code. Only definite answers are kept:
`unknown` depends on the time budget, so it is always asked again. A store
that cannot be read or written is an empty one: answers are then worked out
each time, never refused.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import NamedTuple

from . import cache
from .environment import VerdictName

FORMAT = 1
# The code whose change can change an answer, beside the rules (the library's
# fingerprint covers the grammar, the rule files and the checking code).
DECIDING_CODE = [
    Path(__file__).with_name(name)
    for name in ("environment.py", "compiler.py", "solver.py", "explain.py", "matrix.py", "answers.py")
] + sorted((Path(__file__).parent / "scenario").glob("*.py"))
FLUSH_EVERY = 64  # new answers kept in memory before the store is written again
_DEFINITE: tuple[VerdictName, ...] = ("allowed", "forbidden", "depends")


class StoredAnswer(NamedTuple):
    verdict: VerdictName
    reason: str | None  # None: the reason was not asked when the answer was worked out


def store_key(rules_fingerprint: str) -> str:
    digest = hashlib.sha256(f"licet-answers-{FORMAT}-{rules_fingerprint}".encode())
    for path in DECIDING_CODE:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


class AnswerStore:
    """The cells worked out so far, `(outbound, inbound) → answer`, shared by
    the threads of one engine and saved for the next run."""

    def __init__(self, rules_fingerprint: str) -> None:
        self._fingerprint = rules_fingerprint
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], StoredAnswer] | None = None
        self._unsaved = 0

    def _loaded(self) -> dict[tuple[str, str], StoredAnswer]:
        if self._answers is None:
            self._answers = _decode(cache.read(store_key(self._fingerprint), kind="answers"))
        return self._answers

    def get(self, outbound: str, inbound: str, *, reason: bool) -> StoredAnswer | None:
        """The stored answer, if there is one with a reason when `reason` is asked."""
        with self._lock:
            found = self._loaded().get((outbound, inbound))
        if found is None or (reason and found.verdict != "allowed" and found.reason is None):
            return None
        return found

    def put(self, outbound: str, inbound: str, verdict: VerdictName, reason: str | None) -> None:
        if verdict not in _DEFINITE:
            return
        with self._lock:
            answers = self._loaded()
            old = answers.get((outbound, inbound))
            if old is not None and (old.reason is not None or reason is None):
                return  # nothing new
            answers[outbound, inbound] = StoredAnswer(verdict, reason)
            self._unsaved += 1
            due = self._unsaved >= FLUSH_EVERY
        if due:
            self.save()

    def save(self) -> None:
        """Write what is new, merged with what another run may have saved meanwhile."""
        with self._lock:
            if not self._unsaved or self._answers is None:
                return
            key = store_key(self._fingerprint)
            merged = _decode(cache.read(key, kind="answers"))
            merged.update(self._answers)
            cache.write(key, _encode(merged), kind="answers")
            self._answers = merged
            self._unsaved = 0


def _encode(answers: dict[tuple[str, str], StoredAnswer]) -> list[list[str | None]]:
    return [[outbound, inbound, answer.verdict, answer.reason] for (outbound, inbound), answer in sorted(answers.items())]


def _decode(payload: object) -> dict[tuple[str, str], StoredAnswer]:
    """The answers of a stored payload; anything not of the expected shape is left out."""
    answers: dict[tuple[str, str], StoredAnswer] = {}
    if not isinstance(payload, list):
        return answers
    for row in payload:
        if not (isinstance(row, list) and len(row) == 4):
            continue
        outbound, inbound, verdict, reason = row
        if isinstance(outbound, str) and isinstance(inbound, str) and verdict in _DEFINITE and (reason is None or isinstance(reason, str)):
            answers[outbound, inbound] = StoredAnswer(verdict, reason)
    return answers
