"""Tool use: which tool the stub's model calls, with what input, and the API's rules on tool turns.

A turn calls a tool when the scenario scripts one for it (`[[turns]]`, by the number of assistant
turns already in the conversation) or when `tool_choice` forces one (`any`, `tool`). With
`tool_choice` `auto` and no script, the model calls the first client tool unless the conversation
just answered a tool call (its last user turn carries `tool_result` blocks), so agent loops make one
round trip and finish. `none` never calls a tool. Inputs not scripted are a minimal valid instance of
the tool's `input_schema`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from coach.stub.request import invalid
from coach.stub.scenario import ScriptedTurn
from coach.stub.schema_instance import instance_of

CLIENT_TOOL_TYPES = ("custom",)
"""Tools whose `type` is absent or one of these run in the client. Anthropic-defined client tools
(bash, text editor, computer, memory) do too: their type names start with these prefixes."""
CLIENT_TOOL_PREFIXES = ("bash_", "text_editor_", "computer_", "memory_")
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
"""The documented pattern for a tool name (official "Implement tool use" page)."""


@dataclass(frozen=True)
class ToolCall:
    name: str
    input: dict[str, Any]


def is_toolset(tool: dict[str, Any]) -> bool:
    """A toolset (`computer_toolset_*`, `browser_toolset_*`) declares a family of tools and has no `name`."""
    return "_toolset_" in (tool.get("type") or "")


def is_server_tool(tool: dict[str, Any]) -> bool:
    kind = tool.get("type")
    return kind is not None and kind not in CLIENT_TOOL_TYPES and not kind.startswith(CLIENT_TOOL_PREFIXES) \
        and not is_toolset(tool)


def check_tools(body: dict[str, Any]) -> None:
    """Tool definitions and `tool_choice` beyond their shape: names, uniqueness, server tools, the forced tool."""
    tools = body.get("tools") or []
    names: list[str] = []
    for i, tool in enumerate(tools):
        if is_server_tool(tool):
            # a decision, not the API's rule (docs/stub-api.md): a made-up search or run result would let code
            # pass here that the real result's blocks (encrypted content, citations) could still break
            raise invalid(f"tools.{i}: '{tool['type']}' is a server tool, which runs on Anthropic's servers; this "
                          "local stub accepts its definition's shape but cannot run it. Leave it out of tests "
                          "against the stub, or test it against the real API.")
        if is_toolset(tool):
            raise invalid(f"tools.{i}: '{tool['type']}' is a toolset; this local stub serves single tools with a "
                          "`name` and an `input_schema`, not toolsets. Leave it out of tests against the stub.")
        name = tool["name"]
        if not TOOL_NAME.match(name):
            raise invalid(f"tools.{i}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'")
        if name in names:
            raise invalid("tools: Tool names must be unique.")
        names.append(name)
    choice = body.get("tool_choice")
    if choice and choice["type"] in ("any", "tool") and not tools:
        raise invalid(f"tool_choice: tool_choice.type '{choice['type']}' requires `tools` to be provided")
    if choice and choice["type"] == "tool" and choice["name"] not in names:
        raise invalid(f"tool_choice.name: Tool '{choice['name']}' not found in `tools`")
    thinking = body.get("thinking") or {}
    if choice and choice["type"] in ("any", "tool") and thinking.get("type") == "enabled":
        raise invalid("Thinking may not be enabled when tool_choice forces tool use.")


def check_tool_turns(messages: list[dict[str, Any]]) -> None:
    """Each `tool_result` answers a `tool_use` of the assistant turn just before it, and each `tool_use`
    followed by a user turn is answered there, as the API requires."""
    previous_uses: set[str] = set()
    for i, message in enumerate(messages):
        blocks = message["content"] if isinstance(message["content"], list) else []
        if message["role"] == "user":
            results = [b.get("tool_use_id") for b in blocks if b.get("type") == "tool_result"]
            unexpected = [r for r in results if r not in previous_uses]
            if unexpected:
                raise invalid(f"messages.{i}.content.0: unexpected `tool_use_id` found in `tool_result` blocks: "
                              f"{', '.join(map(str, unexpected))}. Each `tool_result` block must have a "
                              "corresponding `tool_use` block in the previous message.")
            missing = sorted(previous_uses - set(results))
            if missing:
                raise invalid(f"messages.{i - 1}: `tool_use` ids were found without `tool_result` blocks "
                              f"immediately after: {', '.join(missing)}. Each `tool_use` block must have a "
                              "corresponding `tool_result` block in the next message.")
            previous_uses = set()
        elif message["role"] == "assistant":
            previous_uses = {b["id"] for b in blocks if b.get("type") == "tool_use"}
        else:
            previous_uses = set()


def planned_calls(body: dict[str, Any], scripted: ScriptedTurn | None) -> list[ToolCall] | None:
    """The tool calls of this turn, or None for a text answer."""
    tools = [t for t in body.get("tools") or [] if not is_server_tool(t)]
    choice = (body.get("tool_choice") or {"type": "auto"})["type"]
    if not tools or choice == "none":
        return None
    by_name = {t["name"]: t for t in tools}
    if scripted is not None and scripted.calls:
        calls = [c for c in scripted.calls if c.name in by_name]
        if calls:
            return [ToolCall(c.name, c.input if c.input is not None else instance_of(by_name[c.name]
                                                                                      .get("input_schema", {})))
                    for c in calls]
    if scripted is not None and scripted.text is not None and choice == "auto":
        return None
    if choice == "tool":
        forced = body["tool_choice"]["name"]
        return [ToolCall(forced, instance_of(by_name[forced].get("input_schema", {})))]
    if choice == "auto" and _answers_tool_results(body["messages"]):
        return None
    first = tools[0]
    return [ToolCall(first["name"], instance_of(first.get("input_schema", {})))]


def _answers_tool_results(messages: list[dict[str, Any]]) -> bool:
    last = messages[-1]
    return last["role"] == "user" and isinstance(last["content"], list) and any(
        b.get("type") == "tool_result" for b in last["content"])


def assistant_turns(messages: list[dict[str, Any]]) -> int:
    """How many assistant turns the conversation already has: the index of this turn's script."""
    return sum(1 for m in messages if m["role"] == "assistant")
