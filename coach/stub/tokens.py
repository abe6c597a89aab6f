"""One token estimator for usage and count_tokens, and the stub's deterministic answer text.

The estimate is about four characters a token, like English text with Claude's tokenizer.
It only needs to be consistent: `count_tokens` and `usage` must agree for the same request,
and cache prefixes must be measured with the same ruler. The answer text is a pseudo-random
sentence seeded from the request, so the same request always gets the same answer.
"""

from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any

MESSAGE_OVERHEAD = 3  # role markers around each message
REQUEST_OVERHEAD = 4  # start of the prompt

_WORDS = (
    "the", "request", "was", "served", "by", "a", "local", "copy", "of", "api", "and", "it", "answered",
    "in", "time", "so", "your", "code", "can", "go", "on", "with", "its", "work", "while", "limits", "hold",
    "steady", "retry", "later", "if", "server", "says", "every", "token", "counts", "toward", "budget",
    "streams", "carry", "text", "small", "pieces", "usage", "at", "end", "keep", "journal", "what", "you",
    "sent", "came", "back", "timeouts", "protect", "caller", "from", "stalled", "connection",
)


def estimate_tokens(text: str) -> int:
    return (len(text) + 3) // 4


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""One encoder for every call: `json.dumps` with options builds a new one each time (a few µs a block)."""


def canonical(value: Any) -> str:
    """Sorted, compact JSON: the same text for the same value, whatever its key order."""
    if isinstance(value, str):
        return encode_basestring(value)  # what the encoder does for a string, without its set-up
    return _CANONICAL.encode(value)


def block_tokens(block: Any) -> int:
    """Tokens of one content block, system block or tool definition (cache_control excluded)."""
    if isinstance(block, str):
        return estimate_tokens(block)
    if isinstance(block, dict):
        if block.get("type") == "text" and isinstance(block.get("text"), str):
            return estimate_tokens(block["text"])
        return estimate_tokens(canonical({k: v for k, v in block.items() if k != "cache_control"}))
    return estimate_tokens(canonical(block))


_SPACED = tuple(" " + word for word in _WORDS)
_SPACED_CAPITAL = tuple(" " + word.capitalize() for word in _WORDS)
_BY_BYTE = tuple(_SPACED[byte % len(_WORDS)] for byte in range(256))
_BY_BYTE_CAPITAL = tuple(_SPACED_CAPITAL[byte % len(_WORDS)] for byte in range(256))
SENTENCE_WORDS = 9


def answer_pieces(seed_material: str, count: int) -> list[str]:
    """`count` text pieces, one token each, the same for the same seed material: sentences of nine words."""
    # One extendable-output hash gives a byte per word (a tenth of the cost of seeding a random.Random), and
    # tables by byte make each piece one lookup: this runs once per answer, in every request's path.
    draws = hashlib.shake_128(seed_material.encode("utf-8")).digest(count)
    if count == 0:
        return []
    pieces = [_BY_BYTE[draws[0]]] if count == 1 else list(itemgetter(*draws)(_BY_BYTE))  # one C-level gather
    for i in range(0, count, SENTENCE_WORDS):
        pieces[i] = _BY_BYTE_CAPITAL[draws[i]]
    for i in range(SENTENCE_WORDS - 1, count, SENTENCE_WORDS):
        pieces[i] += "."
    if count:
        if count % SENTENCE_WORDS:
            pieces[-1] += "."
        pieces[0] = pieces[0][1:]
    return pieces


def text_pieces(text: str) -> list[str]:
    """A scripted answer in one-token pieces, measured with the same four-character ruler."""
    return [text[i:i + 4] for i in range(0, len(text), 4)]
