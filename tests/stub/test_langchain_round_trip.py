"""LangChain (langchain-anthropic, the `frameworks` extra) completes a tool round trip against the stub."""

from __future__ import annotations

import pytest

from tests.stub.conftest import UNPACED

langchain_anthropic = pytest.importorskip("langchain_anthropic", reason="pip install -e '.[frameworks]'")
messages = pytest.importorskip("langchain_core.messages")
tools = pytest.importorskip("langchain_core.tools")


@tools.tool
def get_weather(city: str) -> str:
    """The current weather in a city."""
    return f"It is 18 C and sunny in {city}."


def test_a_langchain_tool_round_trip(start_stub):
    stub = start_stub(UNPACED)
    model = langchain_anthropic.ChatAnthropic(model="claude-sonnet-4-6", max_tokens=300, base_url=stub.base_url,
                                              api_key="sk-ant-langchain", max_retries=0).bind_tools([get_weather])
    history = [messages.HumanMessage("What is the weather in Lisbon?")]
    first = model.invoke(history)
    (call,) = first.tool_calls
    assert call["name"] == "get_weather" and isinstance(call["args"]["city"], str)
    history += [first, messages.ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])]
    final = model.invoke(history)
    assert not final.tool_calls and final.text
    assert [e.stop_reason for e in stub.journal.entries()] == ["tool_use", "end_turn"]
