"""Reading a Messages API request body the way the real API does: validate, then measure.

Bad input becomes a `Rejected` with the status, `error.type` and a message in the real
API's style (`messages.0.role: ...`), never an exception that escapes as a 500.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from coach.stub.images import ImageError, image_tokens
from coach.stub.tokens import MESSAGE_OVERHEAD, REQUEST_OVERHEAD, block_tokens, canonical

MAX_CACHE_BREAKPOINTS = 4
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}


class Rejected(Exception):
    def __init__(self, status: int, error_type: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message
        self.details = details
        """`error.details` of the body (e.g. `error_code`), when the API sends one."""


def invalid(message: str) -> Rejected:
    return Rejected(400, "invalid_request_error", message)


@dataclass(frozen=True)
class Breakpoint:
    """A `cache_control` mark: the prompt up to and including its block may be cached."""

    prefix_key: str
    prefix_tokens: int
    ttl: float
    lookback: tuple[tuple[str, int], ...] = ()
    """Earlier block boundaries (prefix key, tokens), nearest first: the API looks for a hit at each."""


LOOKBACK_BLOCKS = 20
"""How many block boundaries before a breakpoint the API also checks for a cache hit (about 20, per its docs)."""


@dataclass
class ParsedRequest:
    model: str
    max_tokens: int | None
    stream: bool
    stop_sequences: list[str]
    input_tokens: int
    breakpoints: list[Breakpoint]
    answer_seed: str
    summary: dict[str, Any] = field(default_factory=dict)


def parse_request(body: Any, *, count_only: bool = False) -> ParsedRequest:
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    model = body.get("model")
    if model is None:
        raise invalid("model: Field required")
    if not isinstance(model, str) or not model:
        raise invalid("model: Input should be a valid string")
    max_tokens = body.get("max_tokens")
    if not count_only:
        if max_tokens is None:
            raise invalid("max_tokens: Field required")
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool):
            raise invalid("max_tokens: Input should be a valid integer")
        if max_tokens < 0:  # 0 is allowed: it warms the prompt cache without generating (the SDK's docstring)
            raise invalid("max_tokens: Input should be greater than or equal to 0")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise invalid("stream: Input should be a valid boolean")
    stop_sequences = body.get("stop_sequences") or []
    if not isinstance(stop_sequences, list) or not all(isinstance(s, str) and s for s in stop_sequences):
        raise invalid("stop_sequences: Input should be a list of non-empty strings")

    segments: list[tuple[str, Any]] = []  # (key path, block) in prompt order: tools, system, messages
    tools = body.get("tools") or []
    if not isinstance(tools, list):
        raise invalid("tools: Input should be a valid list")
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            raise invalid(f"tools.{i}.name: Field required")
        segments.append((f"tools.{i}", tool))
    system = body.get("system")
    if isinstance(system, str):
        segments.append(("system", system))
    elif isinstance(system, list):
        for i, block in enumerate(system):
            if not isinstance(block, dict) or block.get("type") != "text" or not isinstance(block.get("text"), str):
                raise invalid(f"system.{i}: Input should be a text block")
            if not block["text"]:
                raise invalid("system: text content blocks must be non-empty")
            segments.append((f"system.{i}", block))
    elif system is not None:
        raise invalid("system: Input should be a valid string or a list of text blocks")

    messages = body.get("messages")
    if messages is None:
        raise invalid("messages: Field required")
    if not isinstance(messages, list):
        raise invalid("messages: Input should be a valid list")
    if not messages:
        raise invalid("messages: at least one message is required")
    message_starts: list[int] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise invalid(f"messages.{i}: Input should be a valid dictionary")
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise invalid(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        content = message.get("content")
        message_starts.append(len(segments))
        if isinstance(content, str):
            if not content and i != len(messages) - 1:
                raise invalid(f"messages.{i}: all messages must have non-empty content except for the optional "
                              "final assistant message")
            if not content and role == "user":
                raise invalid(f"messages.{i}: user messages must have non-empty content")
            segments.append((f"messages.{i}.content", content))
        elif isinstance(content, list):
            if not content:
                raise invalid(f"messages.{i}: all messages must have non-empty content except for the optional "
                              "final assistant message")
            for j, block in enumerate(content):
                if not isinstance(block, dict) or not isinstance(block.get("type"), str):
                    raise invalid(f"messages.{i}.content.{j}: Input should be a valid content block")
                if block["type"] == "text" and not (isinstance(block.get("text"), str) and block["text"]):
                    raise invalid("messages: text content blocks must be non-empty")
                segments.append((f"messages.{i}.content.{j}", block))
        elif content is None:
            raise invalid(f"messages.{i}.content: Field required")
        else:
            raise invalid(f"messages.{i}.content: Input should be a valid string or a list of content blocks")

    input_tokens = REQUEST_OVERHEAD  # each message's overhead counts where it starts, so a prefix's count is stable
    breakpoints: list[Breakpoint] = []
    running = hashlib.sha256(model.encode("utf-8"))
    starts = set(message_starts)
    boundaries: list[tuple[str, int]] = []  # (prefix key, tokens) after each block

    def breakpoint_here(ttl: float) -> Breakpoint:
        earlier = tuple(reversed(boundaries[-LOOKBACK_BLOCKS - 1:-1]))
        return Breakpoint(boundaries[-1][0], boundaries[-1][1], ttl, earlier)

    for index, (where, block) in enumerate(segments):
        if index in starts:  # message boundaries are part of the prefix
            running.update(b"\x00message")
            input_tokens += MESSAGE_OVERHEAD
        input_tokens += _tokens_of(block, where)
        running.update(canonical(_without_cache_control(block)).encode("utf-8"))
        boundaries.append((running.hexdigest(), input_tokens))
        control = block.get("cache_control") if isinstance(block, dict) else None
        if control is not None:
            breakpoints.append(breakpoint_here(_ttl_of(control, f"{where}.")))
    automatic = body.get("cache_control")
    if automatic is not None:
        # automatic caching: a breakpoint on the last block, moving forward as a conversation grows
        ttl = _ttl_of(automatic, "")
        if boundaries and not (breakpoints and breakpoints[-1].prefix_tokens == input_tokens):
            breakpoints.append(breakpoint_here(ttl))
    if len(breakpoints) > MAX_CACHE_BREAKPOINTS:
        raise invalid(f"A maximum of {MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. "
                      f"Found {len(breakpoints)}.")

    return ParsedRequest(
        model=model,
        max_tokens=max_tokens,
        stream=stream,
        stop_sequences=stop_sequences,
        input_tokens=input_tokens,
        breakpoints=breakpoints,
        answer_seed=running.hexdigest(),  # the whole prompt's hash (model, tools, system, messages): already made
        summary={
            "model": model,
            "max_tokens": max_tokens,
            "stream": stream,
            "has_system": system is not None,
            "cache_control_count": len(breakpoints),
            "message_count": len(messages),
            "input_tokens_estimated": input_tokens,
            "prompt": last_user_text(messages),
        },
    )


def _tokens_of(block: Any, where: str) -> int:
    """A block's input tokens: images by their pixels, also inside a `tool_result` (the Vision page's rule holds
    wherever the image is), everything else by the four-character ruler."""
    if not isinstance(block, dict):
        return block_tokens(block)
    kind = block.get("type")
    try:
        if kind == "image":
            return image_tokens(block, where)
        if kind == "tool_result" and isinstance(block.get("content"), list):
            rest = {k: v for k, v in block.items() if k not in ("content", "cache_control")}
            return block_tokens(rest) + sum(_tokens_of(item, f"{where}.content.{k}")
                                            for k, item in enumerate(block["content"]))
    except ImageError as exc:
        raise invalid(str(exc)) from None
    return block_tokens(block)


PROMPT_CHARS = 200
"""How much of the last user message the journal keeps: enough to tell a program's calls apart."""


def last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content[:PROMPT_CHARS]
            texts = [b.get("text", "") for b in content if b.get("type") == "text"]
            return " ".join(t for t in texts if isinstance(t, str))[:PROMPT_CHARS]
    return ""


def _ttl_of(control: Any, where: str) -> float:
    """The TTL of a `cache_control` value, in seconds; `where` prefixes the error's field path."""
    if not isinstance(control, dict) or control.get("type") != "ephemeral":
        raise invalid(f"{where}cache_control.type: Input should be 'ephemeral'")
    ttl = control.get("ttl", "5m")
    if ttl not in TTL_SECONDS:
        raise invalid(f"{where}cache_control.ttl: Input should be '5m' or '1h'")
    return TTL_SECONDS[ttl]


def _without_cache_control(block: Any) -> Any:
    if isinstance(block, dict) and "cache_control" in block:
        return {k: v for k, v in block.items() if k != "cache_control"}
    return block
