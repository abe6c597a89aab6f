"""The stub model's answer: content blocks (thinking, text, tool_use) and how they look on the wire.

One `Answer` is rendered either as the `content` of a Message or as the SSE events of a stream, so
the two can never disagree. A block's pieces are output tokens (a tool call's JSON is measured with the
same four-character ruler), and `usage.output_tokens` is their sum: thinking tokens count even when the
thinking display is `omitted`, as the API bills them. A stream carries thinking and text a few tokens to
a delta, as the API does (`Block.deltas`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from coach.stub.model_rules import ThinkingPlan
from coach.stub.tokens import answer_pieces, estimate_tokens, text_pieces
from coach.stub.tools import ToolCall

JSON_PIECE_CHARS = 12
"""Characters of a tool call's input per `input_json_delta`."""


@dataclass
class Block:
    kind: str
    """"thinking", "text" or "tool_use"."""
    pieces: list[str]
    """What each delta carries: thinking text, text, or a piece of the tool input's JSON."""
    tokens: int
    shown: bool = True
    """Thinking only: False for `display: "omitted"` (empty thinking, the signature still sent)."""
    signature: str = ""
    tool_id: str = ""
    name: str = ""
    input: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def start(self) -> dict[str, Any]:
        """The `content_block` of `content_block_start`."""
        if self.kind == "thinking":
            return {"type": "thinking", "thinking": "", "signature": ""}
        if self.kind == "tool_use":
            return {"type": "tool_use", "id": self.tool_id, "name": self.name, "input": {}}
        return {"type": "text", "text": ""}

    def deltas(self, per_delta: int = 1) -> list[tuple[dict[str, Any], int]]:
        """Every `delta` of this block's `content_block_delta` events, in order, with the output tokens it
        carries: thinking and text `per_delta` tokens at a time (the last delta of a block takes the rest),
        a tool input's JSON a piece at a time, the signature none."""
        if self.kind == "tool_use":
            return [({"type": "input_json_delta", "partial_json": p}, estimate_tokens(p)) for p in self.pieces]
        step = max(1, per_delta)
        groups = [self.pieces[i:i + step] for i in range(0, len(self.pieces), step)]
        if self.kind == "thinking":
            shown = [({"type": "thinking_delta", "thinking": "".join(g)}, len(g)) for g in groups] if self.shown else []
            return [*shown, ({"type": "signature_delta", "signature": self.signature}, 0)]
        return [({"type": "text_delta", "text": "".join(g)}, len(g)) for g in groups]

    def final(self) -> dict[str, Any]:
        """The block as a Message's `content` holds it."""
        if self.kind == "thinking":
            return {"type": "thinking", "thinking": self.text if self.shown else "", "signature": self.signature}
        if self.kind == "tool_use":
            return {"type": "tool_use", "id": self.tool_id, "name": self.name, "input": self.input}
        return {"type": "text", "text": self.text}


@dataclass
class Answer:
    blocks: list[Block]
    stop_reason: str
    stop_sequence: str | None = None
    stop_details: dict[str, Any] | None = None

    @property
    def output_tokens(self) -> int:
        return sum(block.tokens for block in self.blocks)

    @property
    def text(self) -> str:
        return "".join(block.text for block in self.blocks if block.kind == "text")

    @property
    def pieces(self) -> list[str]:
        """Every delta's payload, thinking and tool JSON included (one output token each for text)."""
        return [piece for block in self.blocks for piece in block.pieces]

    def content(self) -> list[dict[str, Any]]:
        return [block.final() for block in self.blocks]


@dataclass(frozen=True)
class Request:
    """What composing an answer needs to know of the request."""

    seed: str
    max_tokens: int
    stop_sequences: list[str]
    thinking: ThinkingPlan
    calls: list[ToolCall] | None
    text: str | None
    """A scripted text (scenario, turn, or a structured output's JSON), else generated words."""
    wanted_tokens: int
    thinking_tokens: int


def compose(request: Request, new_tool_id: Callable[[], str], sign: Callable[[str, str], str],
            refusal_after: int | None = None) -> Answer:
    """The answer within `max_tokens`: thinking first, then tool calls or text; cut where the budget ends.

    `sign(thinking, shown)` makes a thinking block's signature (signatures.py), so the stub can check it
    when a later turn sends the block back."""
    left = request.max_tokens
    blocks: list[Block] = []
    if request.thinking.on and left > 0:
        count = min(request.thinking_tokens, request.thinking.budget or request.thinking_tokens, left)
        pieces = answer_pieces(f"{request.seed}:thinking", count)
        shown = request.thinking.display != "omitted"
        thinking = "".join(pieces)
        signature = sign(thinking, thinking if shown else "")
        blocks.append(Block("thinking", pieces, count, shown=shown, signature=signature))
        left -= count
        if left == 0:
            return Answer(blocks, "max_tokens")
    if refusal_after is not None:
        pieces = _text_pieces(request, left)[:refusal_after]
        if pieces:
            blocks.append(Block("text", pieces, len(pieces)))
        return Answer(blocks, "refusal", None, {"type": "refusal", "category": None, "explanation": None})
    if request.calls:
        for call in request.calls:
            encoded = json.dumps(call.input, separators=(",", ":"))
            tokens = estimate_tokens(encoded)
            if tokens > left:
                return Answer(blocks, "max_tokens")
            pieces = [encoded[i:i + JSON_PIECE_CHARS] for i in range(0, len(encoded), JSON_PIECE_CHARS)]
            blocks.append(Block("tool_use", pieces, tokens, tool_id=new_tool_id(), name=call.name,
                                input=call.input))
            left -= tokens
        return Answer(blocks, "tool_use")
    wanted = len(text_pieces(request.text)) if request.text is not None else request.wanted_tokens
    pieces = _text_pieces(request, min(wanted, left))
    stop_reason = "max_tokens" if left < wanted else "end_turn"
    stop_sequence = None
    if request.stop_sequences:
        text = ""
        for i, piece in enumerate(pieces):
            text += piece
            hits = [(text.find(s), s) for s in request.stop_sequences if s in text]
            if hits:
                at, stop_sequence = min(hits)
                pieces = [p for p in [*pieces[:i], piece[: len(piece) - (len(text) - at)]] if p]
                stop_reason = "stop_sequence"
                break
    if pieces or stop_reason != "max_tokens" or (not blocks and request.max_tokens > 0):
        blocks.append(Block("text", pieces, len(pieces)))
    return Answer(blocks, stop_reason, stop_sequence)


def _text_pieces(request: Request, count: int) -> list[str]:
    if request.text is not None:
        return text_pieces(request.text)[:count]
    return answer_pieces(request.seed, count)
