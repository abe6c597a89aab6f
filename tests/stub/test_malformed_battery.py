"""Every malformed request the API refuses gets a 4xx with the API's error body from the stub, never a 5xx,
and the stub goes on serving. Each case names what the real API answers it with."""

from __future__ import annotations

import base64
import json
import re

import httpx2
import pytest

from tests.stub.conftest import HELLO, MODEL

GOOD = {"model": MODEL, "max_tokens": 10, "messages": HELLO}
DEEP = b"[" * 100_000 + b"]" * 100_000
PNG_1x1 = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
                           "RU5ErkJggg==")
TOOL = {"name": "get_weather", "description": "Weather for a city.",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


def image(data: str, media_type: str = "image/png") -> dict:
    return {"role": "user", "content": [{"type": "image", "source": {"type": "base64", "media_type": media_type,
                                                                        "data": data}}]}


CASES = {
    # (body change or raw bytes, headers, expected status, error type, words of the message)
    "unknown claude model": ({"model": "claude-nonexistent-9"}, {}, 404, "not_found_error",
                             "model: claude-nonexistent-9"),
    "retired model": ({"model": "claude-sonnet-4-0"}, {}, 404, "not_found_error", "model: claude-sonnet-4-0"),
    "max_tokens over the model's maximum": ({"max_tokens": 10_000_000}, {}, 400, "invalid_request_error",
                                            "maximum allowed number of output tokens"),
    "unknown top-level field": ({"foo": 1}, {}, 400, "invalid_request_error", "foo: Extra inputs are not permitted"),
    "unknown block field": ({"messages": [{"role": "user", "content": [
        {"type": "text", "text": "a"}, {"type": "text", "text": "b", "foo": 1}]}]}, {}, 400,
        "invalid_request_error", "messages.0.content.1.foo: Extra inputs are not permitted"),
    "top_p as a string": ({"top_p": "0.5"}, {}, 400, "invalid_request_error", "top_p: Input should be a valid number"),
    "tool_choice as an int": ({"tools": [TOOL], "tool_choice": 1}, {}, 400, "invalid_request_error", "tool_choice:"),
    "metadata as a string": ({"metadata": "x"}, {}, 400, "invalid_request_error",
                             "metadata: Input should be an object"),
    "thinking as a string": ({"thinking": "on"}, {}, 400, "invalid_request_error",
                             "thinking: Input should be an object"),
    "service_tier as an int": ({"service_tier": 1}, {}, 400, "invalid_request_error", "service_tier:"),
    "unknown block type": ({"messages": [{"role": "user", "content": [{"type": "bogus"}]}]}, {}, 400,
                           "invalid_request_error", "Input tag 'bogus' found using 'type'"),
    "tool_result without its tool_use": ({"messages": [{"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_missing", "content": "x"}]}]}, {}, 400,
        "invalid_request_error", "unexpected `tool_use_id` found in `tool_result` blocks: toolu_missing"),
    "tool_use left unanswered": ({"tools": [TOOL], "messages": [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                           "input": {"city": "Paris"}}]},
        {"role": "user", "content": "and?"}]}, {}, 400, "invalid_request_error",
        "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1"),
    "tool definition without input_schema": ({"tools": [{"name": "x"}]}, {}, 400, "invalid_request_error",
                                             "tools.0.input_schema: Field required"),
    "duplicate tool names": ({"tools": [TOOL, TOOL]}, {}, 400, "invalid_request_error", "unique"),
    "forced tool that is not defined": ({"tools": [TOOL], "tool_choice": {"type": "tool", "name": "nope"}}, {}, 400,
                                        "invalid_request_error", "nope"),
    "server tool": ({"tools": [{"type": "web_search_20250305", "name": "web_search"}]}, {}, 400,
                    "invalid_request_error", "'web_search_20250305' is a server tool"),
    "server tool of a malformed shape": ({"tools": [{"type": "web_search_20250305", "name": "web_search",
                                                     "max_uses": "many"}]}, {}, 400, "invalid_request_error",
                                         "tools.0.max_uses: Input should be a valid integer"),
    "toolset, which has no name": ({"tools": [{"type": "computer_toolset_20260801"}]}, {}, 400,
                                   "invalid_request_error", "'computer_toolset_20260801' is a toolset"),
    "forged thinking signature": ({"messages": [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "Hmm.", "signature": "Zm9yZ2Vk"},
                                          {"type": "text", "text": "Hello."}]},
        {"role": "user", "content": "and?"}]}, {}, 400, "invalid_request_error",
        "messages.1.content.0: Invalid `signature` in `thinking` block"),
    "thinking signature that is not base64": ({"messages": [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "", "signature": "not base64 at all!"}]},
        {"role": "user", "content": "and?"}]}, {}, 400, "invalid_request_error",
        "Invalid `signature` in `thinking` block"),
    "invalid base64 in an image inside a tool_result": ({"tools": [TOOL], "messages": [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                           "input": {"city": "Paris"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": [
            image("not base64!")["content"][0]]}]}]}, {}, 400, "invalid_request_error",
        "messages.2.content.0.content.0.source.base64.data: The image data is not valid base64."),
    "invalid base64 image": ({"messages": [image("not base64!!")]}, {}, 400, "invalid_request_error",
                             "not valid base64"),
    "image of the wrong media type": ({"messages": [image(base64.b64encode(PNG_1x1).decode(), "image/jpeg")]}, {},
                                      400, "invalid_request_error", "does not match the provided media type"),
    "image block without a source": ({"messages": [{"role": "user", "content": [{"type": "image"}]}]}, {}, 400,
                                     "invalid_request_error", "messages.0.content.0.source: Field required"),
    "budget thinking on a model that always thinks adaptively": (
        {"model": "claude-opus-5-5", "max_tokens": 4000, "thinking": {"type": "enabled", "budget_tokens": 2000}},
        {}, 400, "invalid_request_error", "thinking.type.enabled"),
    "thinking budget below 1024": ({"max_tokens": 4000, "thinking": {"type": "enabled", "budget_tokens": 100}}, {},
                                   400, "invalid_request_error", "budget_tokens"),
    "thinking budget not below max_tokens": ({"max_tokens": 2000, "thinking": {"type": "enabled",
                                                                              "budget_tokens": 2000}},
                                             {}, 400, "invalid_request_error", "budget_tokens"),
    "sampling parameters on a model without them": ({"model": "claude-opus-5-5", "temperature": 0.2}, {}, 400,
                                                    "invalid_request_error", "temperature"),
    "text/plain content type": (json.dumps(GOOD).encode(), {"content-type": "text/plain"}, 400,
                                "invalid_request_error", "content type"),
    "missing content type": (json.dumps(GOOD).encode(), {"content-type": None}, 400, "invalid_request_error",
                             "content type"),
    "malformed JSON": (b"{not json", {}, 400, "invalid_request_error", "error parsing the body"),
    "JSON nested 100,000 deep": (DEEP, {}, 400, "invalid_request_error", "error parsing the body"),
    "body that is not an object": (b"[1, 2]", {}, 400, "invalid_request_error", "Input should be an object"),
}


def send(stub, path: str, case_body, headers: dict) -> httpx2.Response:  # type: ignore[no-untyped-def]
    content = case_body if isinstance(case_body, bytes) else json.dumps(
        {k: v for k, v in {**GOOD, **case_body}.items() if v is not None}).encode()
    sent = {"x-api-key": "sk-test", "anthropic-version": "2023-06-01", "content-type": "application/json"}
    for name, value in headers.items():
        if value is None:
            sent.pop(name, None)
        else:
            sent[name] = value
    response = httpx2.post(f"{stub.base_url}{path}", content=content, headers=sent)
    assert ("content-type" in response.request.headers) == ("content-type" in sent)
    return response


def assert_api_error(response: httpx2.Response, status: int, error_type: str, words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"type", "error", "request_id"} and body["type"] == "error"
    assert body["error"]["type"] == error_type
    assert words in body["error"]["message"], body["error"]["message"]
    assert re.fullmatch(r"req_[0-9A-Za-z]{24}", body["request_id"]) and body["request_id"] == \
        response.headers["request-id"]


@pytest.mark.parametrize("case", list(CASES))
def test_each_malformed_request_is_refused_like_the_api_and_the_stub_keeps_serving(start_stub, case):
    stub = start_stub()
    change, headers, status, error_type, words = CASES[case]
    assert_api_error(send(stub, "/v1/messages", change, headers), status, error_type, words)
    assert send(stub, "/v1/messages", {}, {}).status_code == 200


@pytest.mark.parametrize("case", ["JSON nested 100,000 deep", "unknown top-level field", "missing content type",
                                  "unknown claude model"])
def test_count_tokens_refuses_the_same_requests(start_stub, case):
    stub = start_stub()
    change, headers, status, error_type, words = CASES[case]
    if isinstance(change, dict):
        change = {**change, "max_tokens": None}
    assert_api_error(send(stub, "/v1/messages/count_tokens", change, headers), status, error_type, words)
    assert send(stub, "/v1/messages/count_tokens", {"max_tokens": None}, {}).status_code == 200


def test_no_malformed_request_in_the_battery_reaches_a_5xx_on_one_stub(start_stub):
    stub = start_stub()
    statuses = [send(stub, "/v1/messages", change, headers).status_code
                for change, headers, *_ in CASES.values()]
    assert all(400 <= status < 500 for status in statuses)
    assert all(entry.status is not None and entry.status < 500 for entry in stub.journal.entries())
