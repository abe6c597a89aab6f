"""Tool use through the official SDK: the stub's model calls tools the way the API's does."""

from __future__ import annotations

import anthropic
import jsonschema
import pytest

from tests.stub.conftest import HELLO, MODEL, UNPACED, client

WEATHER = {"name": "get_weather", "description": "Current weather for a city.",
           "input_schema": {"type": "object", "required": ["city", "unit"],
                            "properties": {"city": {"type": "string"},
                                           "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}}}
TIME = {"name": "get_time", "description": "Current time in a time zone.",
        "input_schema": {"type": "object", "properties": {"zone": {"type": "string"}}, "required": ["zone"]}}
ASK = [{"role": "user", "content": "What is the weather in Paris?"}]


def test_a_tool_call_has_an_input_valid_for_its_schema_and_stop_reason_tool_use(start_stub):
    message = client(start_stub()).messages.create(model=MODEL, max_tokens=300, tools=[WEATHER], messages=ASK)
    assert message.stop_reason == "tool_use"
    (call,) = [block for block in message.content if block.type == "tool_use"]
    assert call.name == "get_weather" and call.id.startswith("toolu_")
    jsonschema.validate(call.input, WEATHER["input_schema"])


def test_tool_choice_tool_forces_the_named_tool(start_stub):
    message = client(start_stub()).messages.create(model=MODEL, max_tokens=300, tools=[WEATHER, TIME], messages=ASK,
                                                   tool_choice={"type": "tool", "name": "get_time"})
    assert [b.name for b in message.content if b.type == "tool_use"] == ["get_time"]


def test_tool_choice_any_calls_a_tool_even_after_a_tool_result(start_stub):
    sdk = client(start_stub())
    first = sdk.messages.create(model=MODEL, max_tokens=300, tools=[WEATHER], messages=ASK)
    follow = [*ASK, {"role": "assistant", "content": first.content},
              {"role": "user", "content": [{"type": "tool_result", "tool_use_id": first.content[0].id,
                                            "content": "18 C"}]}]
    again = sdk.messages.create(model=MODEL, max_tokens=300, tools=[WEATHER], messages=follow,
                                tool_choice={"type": "any"})
    assert again.stop_reason == "tool_use"


def test_tool_choice_none_answers_text(start_stub):
    message = client(start_stub()).messages.create(model=MODEL, max_tokens=300, tools=[WEATHER], messages=ASK,
                                                   tool_choice={"type": "none"})
    assert message.stop_reason == "end_turn" and [b.type for b in message.content] == ["text"]


def test_auto_answers_text_once_the_tool_result_is_back(start_stub):
    sdk = client(start_stub())
    first = sdk.messages.create(model=MODEL, max_tokens=300, tools=[WEATHER], messages=ASK)
    follow = [*ASK, {"role": "assistant", "content": first.content},
              {"role": "user", "content": [{"type": "tool_result", "tool_use_id": first.content[0].id,
                                            "content": "18 C"}]}]
    final = sdk.messages.create(model=MODEL, max_tokens=300, tools=[WEATHER], messages=follow)
    assert final.stop_reason == "end_turn" and final.content[0].type == "text"


def test_a_streamed_tool_call_starts_its_block_then_sends_input_json_deltas(start_stub):
    sdk = client(start_stub())
    with sdk.messages.stream(model=MODEL, max_tokens=300, tools=[WEATHER], messages=ASK) as stream:
        events = list(stream)
        final = stream.get_final_message()
    starts = [e for e in events if e.type == "content_block_start"]
    assert starts[0].content_block.type == "tool_use" and starts[0].content_block.input == {}
    deltas = [e.delta for e in events if e.type == "content_block_delta"]
    assert deltas and all(d.type == "input_json_delta" for d in deltas)
    assert "".join(d.partial_json for d in deltas) and final.stop_reason == "tool_use"
    jsonschema.validate(final.content[0].input, WEATHER["input_schema"])


SCRIPTED = UNPACED + """
[[turns]]
tool = "get_weather"
input = { city = "Lisbon", unit = "celsius" }

[[turns]]
tool = "get_time"

[[turns]]
text = "It is sunny in Lisbon at noon."
"""


def test_a_scenario_scripts_which_tool_is_called_with_what_input_turn_by_turn(start_stub):
    sdk = client(start_stub(SCRIPTED))
    messages = list(ASK)
    calls = []
    for _ in range(3):
        reply = sdk.messages.create(model=MODEL, max_tokens=300, tools=[WEATHER, TIME], messages=messages)
        uses = [b for b in reply.content if b.type == "tool_use"]
        if not uses:
            break
        calls.append((uses[0].name, uses[0].input))
        messages += [{"role": "assistant", "content": reply.content},
                     {"role": "user", "content": [{"type": "tool_result", "tool_use_id": uses[0].id,
                                                   "content": "ok"}]}]
    assert calls == [("get_weather", {"city": "Lisbon", "unit": "celsius"}), ("get_time", {"zone": "x"})]
    assert reply.content[0].text == "It is sunny in Lisbon at noon."


def test_a_tool_call_costs_output_tokens_and_is_cut_by_max_tokens(start_stub):
    sdk = client(start_stub())
    message = sdk.messages.create(model=MODEL, max_tokens=300, tools=[WEATHER], messages=ASK)
    assert message.usage.output_tokens > 0
    cut = sdk.messages.create(model=MODEL, max_tokens=1, tools=[WEATHER], messages=ASK)
    assert cut.stop_reason == "max_tokens"


@pytest.mark.parametrize("schema", [
    {"type": "object", "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 9}}, "required": ["n"]},
    {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}, "minItems": 2}},
     "required": ["tags"]},
    {"type": "object", "properties": {"when": {"type": "string", "format": "date-time"},
                                      "who": {"$ref": "#/$defs/person"}}, "required": ["when", "who"],
     "$defs": {"person": {"type": "object", "properties": {"name": {"type": "string", "minLength": 3}},
                          "required": ["name"]}}},
    {"type": "object", "properties": {"v": {"anyOf": [{"type": "null"}, {"type": "number",
                                                                        "exclusiveMinimum": 0}]}},
     "required": ["v"]},
])
def test_generated_inputs_are_valid_for_richer_schemas(start_stub, schema):
    tool = {"name": "t", "input_schema": schema}
    message = client(start_stub()).messages.create(model=MODEL, max_tokens=300, tools=[tool], messages=ASK)
    jsonschema.validate(message.content[0].input, schema)


def test_a_held_thread_is_continued_with_only_the_new_turn(start_stub):
    stub = start_stub()
    sdk = client(stub)
    first = sdk.beta.messages.create(model=MODEL, max_tokens=300, tools=[WEATHER], messages=ASK,
                                     thread={"type": "create"})
    result = [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": first.content[0].id,
                                            "content": "18 C"}]}]
    second = sdk.beta.messages.create(model=MODEL, max_tokens=300, tools=[WEATHER], messages=result,
                                      thread={"type": "continue", "previous_message_id": first.id})
    assert second.stop_reason == "end_turn"
    assert stub.journal.entries()[-1].message_count == 3


def test_continuing_an_unknown_thread_is_thread_not_found(start_stub):
    import anthropic

    with pytest.raises(anthropic.NotFoundError) as caught:
        client(start_stub()).beta.messages.create(model=MODEL, max_tokens=30, messages=ASK,
                                                  thread={"type": "continue", "previous_message_id": "msg_nope"})
    assert caught.value.body["error"]["details"]["error_code"] == "thread_not_found"


def _sdk_tool_definitions() -> list[dict]:  # type: ignore[type-arg]
    """A minimal definition of every Anthropic-defined tool the installed SDK types: its `type` and its fixed `name`."""
    import typing

    import typing_extensions as te
    from anthropic.types import ToolUnionParam

    definitions = []
    for member in te.get_args(ToolUnionParam):
        hints = typing.get_type_hints(member)
        if te.get_origin(hints["type"]) is not te.Literal:  # the custom tool: `type` optional, "custom"
            continue
        kinds = te.get_args(hints["type"])
        definition = {"type": kinds[0]}
        if "name" in hints:  # a fixed name is a Literal; a free one gets the type's stem
            fixed = te.get_origin(hints["name"]) is te.Literal
            definition["name"] = te.get_args(hints["name"])[0] if fixed else kinds[0].rsplit("_", 1)[0]
        definitions.append(definition)
    return definitions


SERVER_TOOLS = [d for d in _sdk_tool_definitions() if not d["type"].startswith(
    ("bash_", "text_editor_", "computer_", "memory_")) and "_toolset_" not in d["type"]]


@pytest.mark.parametrize("definition", SERVER_TOOLS, ids=[d["type"] for d in SERVER_TOOLS])
def test_each_server_tool_the_sdk_types_is_a_400_naming_it(start_stub, definition):
    with pytest.raises(anthropic.BadRequestError) as raised:
        client(start_stub()).messages.create(model=MODEL, max_tokens=50, messages=HELLO, tools=[definition])
    assert raised.value.body["error"]["message"].startswith(f"tools.0: '{definition['type']}' is a server tool")


def test_the_sdk_types_web_search_code_execution_and_web_fetch_among_its_server_tools():
    kinds = {d["type"].rsplit("_", 1)[0] for d in SERVER_TOOLS}
    assert {"web_search", "web_fetch", "code_execution"} <= kinds
