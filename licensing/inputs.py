"""The front door: the limits every input passes, and reading a text file
within them.

Every file and API input licet reads passes a loader with these limits
(`scenario.load` for YAML and JSON, `syntax` for rule files, `expression`
for license expressions, the pydantic models for names and text); past one,
the input is refused with a `LicetError` (exit 2) that says which limit and
where, instead of costing unbounded time or memory. Each limit is far above
what a real input needs; the comment on each says what real inputs need.
"""

from __future__ import annotations

import os
import stat

import yaml

from .errors import LicetError

# The YAML loader every reader uses: safe (builds plain data, runs nothing);
# the C one where installed composes the same nodes with the same marks, faster.
SAFE_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# A scenario, rule, cases, policy or card file: the largest shipped file is
# 34 KB and a scenario exported from a 16,000-component SBOM is about 2 MB;
# 4 MiB reads, parses and validates in about a second.
MAX_FILE_BYTES = 4 * 1024 * 1024
# A rule file: the largest shipped one is 24 KB; the rule parser reads about
# 0.4 MB a second, so 1 MiB keeps a hostile rules folder to seconds per file.
MAX_RULE_FILE_BYTES = 1024 * 1024
# Nesting of YAML/JSON collections. Scenarios need 5 levels, pinning cases 8,
# card front matter about 10. 100 keeps every recursive consumer (pydantic,
# json, the explanation) far below Python's recursion limit of 1,000.
MAX_DEPTH = 100
# Nodes of a YAML document counted with every alias expanded, and alias uses:
# an alias bomb of 1 KB expands to billions of nodes. 1,000,000 nodes is more
# than a 4 MiB file without aliases holds in block style.
MAX_NODES = 1_000_000
MAX_ALIASES = 10_000
# One YAML scalar (a card's gated-access prompt, which quotes a license, is
# the longest legitimate one, tens of KB).
MAX_SCALAR_CHARS = 256 * 1024
# Digits of an integer (and characters of a float) literal: no count licet
# reasons about needs more than 30 digits; Python refuses to print integers
# over 4,300 digits.
MAX_NUMBER_CHARS = 100
# A name, word or id of a scenario (component, kind, action, fact, assumption).
MAX_NAME_CHARS = 1024
# Free text in a scenario (a description, a waiver's reason).
MAX_TEXT_CHARS = 64 * 1024
# A license expression: a real one is under 200 characters; a component that
# ANDs the licenses of a thousand files stays under 16 KiB.
MAX_EXPRESSION_CHARS = 16 * 1024
# Parentheses nested in a license expression, and levels of `or`, `and` and
# `not` nested in a rule's condition (a parenthesis is an `or` and an `and`):
# real ones nest 3 or 4 deep; the limits keep recursive code far from
# Python's recursion limit.
MAX_EXPRESSION_DEPTH = 32
MAX_CONDITION_DEPTH = 100
# Components of one scenario: a large SBOM has some thousands, a monorepo's
# or a distribution's tens of thousands; the engine is measured at 100,000
# (benchmarks/bench_scale.py), and the limit leaves room above it.
MAX_COMPONENTS = 250_000



def size_text(size: int) -> str:
    """A size for people: 4 MiB, 1.5 KiB, 100 bytes."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.4g} {unit}"
    return f"{size} bytes"


def read_text_limited(
    path: str | os.PathLike[str],
    error: type[LicetError],
    *,
    display: str | None = None,
    what: str = "file",
    limit: int = MAX_FILE_BYTES,
    hint: str = "check the path and that it is UTF-8 text",
) -> str:
    """A UTF-8 text file's content, read through the front door: a regular file
    (not a FIFO or device), at most `limit` bytes; anything else raises
    `error` with the code `<kind>.not-found`, `.unreadable` or `.too-large`."""
    shown = display if display is not None else str(path)
    kind = error.default_code.rsplit(".", 1)[0]
    try:
        # opened without blocking, so that a FIFO is refused, not waited on
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise error(f"cannot read {what}: not a regular file", code=f"{kind}.unreadable", file=shown, hint=hint)
            os.set_blocking(descriptor, True)
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise error(f"{what} not found", code=f"{kind}.not-found", file=shown, hint="check the path") from None
    except (OSError, ValueError, TypeError) as err:
        raise error(f"cannot read {what}: {getattr(err, 'strerror', None) or err}", code=f"{kind}.unreadable", file=shown, hint=hint) from None
    if len(data) > limit:
        raise error(
            f"{what} is larger than {size_text(limit)}",
            code=f"{kind}.too-large",
            file=shown,
            hint="licet reads inputs up to that size; split the input",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise error(f"cannot read {what}: not UTF-8 text ({err.reason})", code=f"{kind}.unreadable", file=shown, line=line, hint=hint) from None


def check_text_size(text: str, error: type[LicetError], display: str, *, what: str = "input", limit: int = MAX_FILE_BYTES) -> None:
    """Refuse text longer than `limit` characters (a file's limit, for text given directly)."""
    if len(text) > limit:
        raise error(
            f"{what} is longer than {size_text(limit)}",
            code=error.default_code.rsplit(".", 1)[0] + ".too-large",
            file=display,
            hint="licet reads inputs up to that size; split the input",
        )
