"""Bad requests get the API's 4xx answers with useful messages, never a 500."""

from __future__ import annotations

import anthropic
import httpx2
import pytest

from tests.stub.conftest import HELLO, MODEL, client

GOOD = {"model": MODEL, "max_tokens": 10, "messages": HELLO}


def post(stub, body=None, *, content=None, headers=None):  # type: ignore[no-untyped-def]
    headers = {"x-api-key": "k", "content-type": "application/json", **(headers or {})}
    return httpx2.post(f"{stub.base_url}/v1/messages", json=body, content=content, headers=headers)


@pytest.mark.parametrize(("change", "message_part"), [
    ({"model": None}, "model: Field required"),
    ({"model": 5}, "model: Input should be a valid string"),
    ({"max_tokens": None}, "max_tokens: Field required"),
    ({"max_tokens": "10"}, "max_tokens: Input should be a valid integer"),
    ({"max_tokens": -1}, "greater than or equal to 0"),
    ({"messages": None}, "messages: Field required"),
    ({"messages": []}, "at least one message"),
    ({"messages": [{"role": "system", "content": "x"}]}, "messages.0.role"),
    ({"messages": [{"role": "user", "content": ""}]}, "non-empty content"),
    ({"messages": [{"role": "user", "content": [{"type": "text", "text": ""}]}]}, "must be non-empty"),
    ({"stop_sequences": "END"}, "stop_sequences"),
    ({"temperature": 3}, "temperature"),
])
def test_invalid_fields_are_400_invalid_request_error(start_stub, change, message_part):
    body = {**GOOD, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = post(start_stub(), body)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert message_part in response.json()["error"]["message"]


def test_malformed_json_is_400(start_stub):
    response = post(start_stub(), content=b"{not json")
    assert response.status_code == 400 and "parsing the body" in response.json()["error"]["message"]


def test_more_than_four_cache_breakpoints_is_400(start_stub):
    blocks = [{"type": "text", "text": f"part {i}", "cache_control": {"type": "ephemeral"}} for i in range(5)]
    response = post(start_stub(), {**GOOD, "messages": [{"role": "user", "content": blocks}]})
    assert response.status_code == 400 and "maximum of 4" in response.json()["error"]["message"]


def test_unknown_model_is_404_not_found_error_through_the_sdk(start_stub):
    with pytest.raises(anthropic.NotFoundError) as caught:
        client(start_stub()).messages.create(model="gpt-4o", max_tokens=5, messages=HELLO)
    assert caught.value.type == "not_found_error"


def test_bad_request_through_the_sdk_is_bad_request_error_and_not_retried(start_stub):
    stub = start_stub()
    with pytest.raises(anthropic.BadRequestError):
        client(stub).messages.create(model=MODEL, max_tokens=5, messages=[{"role": "user", "content": ""}])
    assert len(stub.journal.entries()) == 1


def test_missing_key_is_401_authentication_error(start_stub):
    stub = start_stub()
    response = httpx2.post(f"{stub.base_url}/v1/messages", json=GOOD)
    assert response.status_code == 401 and response.json()["error"]["type"] == "authentication_error"
    assert stub.journal.entries()[0].key_fingerprint is None


def test_oversized_body_is_413_request_too_large(start_stub):
    stub = start_stub('summary = "t"\nmax_body_bytes = 1000\n')
    with pytest.raises(anthropic.RequestTooLargeError) as caught:
        client(stub).messages.create(model=MODEL, max_tokens=5, messages=[{"role": "user", "content": "x" * 2000}])
    assert caught.value.type == "request_too_large"


def test_optional_fields_the_sdk_types_are_accepted(start_stub):
    response = post(start_stub(), {**GOOD, "metadata": {"user_id": "u1"}, "service_tier": "auto"})
    assert response.status_code == 200


def test_a_stub_bug_still_answers_an_api_shaped_500(start_stub, monkeypatch):
    stub = start_stub()

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("bug")

    monkeypatch.setattr(stub.server, "_answer", broken)
    with pytest.raises(anthropic.InternalServerError) as caught:
        client(stub, max_retries=0).messages.create(model=MODEL, max_tokens=5, messages=HELLO)
    assert caught.value.type == "api_error" and stub.journal.entries()[0].status == 500
