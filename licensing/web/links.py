"""A link that reproduces a question: the scenario in the URL.

The scenario (its file format, as JSON) is compressed with raw DEFLATE and
written in base64url after `#q=`. The fragment never reaches a server, so a
link shared in a ticket does not send the question anywhere; the page's
script decodes it with the browser's DecompressionStream("deflate-raw").
The page's script writes links the same way this module does, so the
library pages can link a pinning case straight into the composer.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from ..errors import ScenarioError
from ..inputs import MAX_FILE_BYTES

PREFIX = "q="


def encode_question(scenario: dict[str, Any]) -> str:
    """The fragment (without `#`) that carries `scenario`."""
    data = json.dumps(scenario, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(data) + packer.flush()
    return PREFIX + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_question(fragment: str) -> Any:
    """The scenario a fragment carries; a damaged one is a `ScenarioError`."""
    text = fragment.removeprefix("#").removeprefix(PREFIX)
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        unpacker = zlib.decompressobj(-15)
        data = unpacker.decompress(packed, MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES or unpacker.unconsumed_tail:
            raise ScenarioError("the question in the link is larger than licet reads", code="licet.web.link", hint="share the scenario file instead")
        return json.loads(data.decode("utf-8"))
    except (ValueError, zlib.error, UnicodeDecodeError):
        raise ScenarioError("the link does not carry a question licet can read", code="licet.web.link",
                            hint="copy the whole link again from the page that made it") from None
