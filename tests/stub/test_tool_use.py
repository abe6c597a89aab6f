"""Tool use through the official SDK: the stub's model calls tools the way the API's does."""

from __future__ import annotations

import jsonschema
import pytest

from tests.stub.conftest import MODEL, UNPACED, client

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
