"""Structured outputs answer a valid instance of the schema; images are counted from their pixels;
request ids never repeat."""

from __future__ import annotations

import base64
import json
import struct
import zlib

import anthropic
import jsonschema
import pydantic
import pytest

from coach.scenario_time import VirtualClock
from coach.stub.images import dimensions, tokens_for
from coach.stub.runner import StubThread
from coach.stub.scenario import load_scenario
from tests.stub.conftest import HELLO, MODEL, client

SCHEMA = {"type": "object", "additionalProperties": False, "required": ["city", "temperature", "tags"],
          "properties": {"city": {"type": "string"}, "temperature": {"type": "number"},
                         "tags": {"type": "array", "items": {"type": "string"}}}}


def test_output_config_format_answers_json_valid_for_the_schema(start_stub):
    message = client(start_stub()).messages.create(
        model=MODEL, max_tokens=500, messages=HELLO,
        output_config={"format": {"type": "json_schema", "schema": SCHEMA}})
    jsonschema.validate(json.loads(message.content[0].text), SCHEMA)


def test_the_sdks_parse_gets_a_pydantic_instance(start_stub):
    class Weather(pydantic.BaseModel):
        city: str
        temperature: float
        windy: bool

    parsed = client(start_stub()).messages.parse(model="claude-sonnet-5-5", max_tokens=500, messages=HELLO,
                                                 output_format=Weather)
    assert isinstance(parsed.parsed_output, Weather)


def png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00"


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def webp(width: int, height: int) -> bytes:
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + \
        (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x


def test_each_format_header_gives_its_size():
    assert dimensions(png(640, 480)) == ("image/png", 640, 480)
    assert dimensions(gif(200, 100)) == ("image/gif", 200, 100)
    assert dimensions(jpeg(1024, 768)) == ("image/jpeg", 1024, 768)
    assert dimensions(webp(300, 150)) == ("image/webp", 300, 150)


def test_an_image_costs_width_times_height_over_750():
    assert tokens_for(750, 100) == 100
    assert tokens_for(1000, 1000) == 1334


def test_a_large_image_is_counted_as_scaled_down_to_about_1600_tokens():
    assert tokens_for(4000, 3000) <= 1600


def test_an_image_in_a_request_counts_its_pixels_not_its_base64_length(start_stub):
    sdk = client(start_stub())

    def counted(data: bytes, media_type: str) -> int:
        block = {"type": "image", "source": {"type": "base64", "media_type": media_type,
                                             "data": base64.b64encode(data).decode()}}
        return sdk.messages.count_tokens(model=MODEL, messages=[{"role": "user", "content": [block]}]).input_tokens

    small, large = counted(png(75, 100), "image/png"), counted(png(750, 500), "image/png")
    assert large - small == 500 - 10
    assert counted(jpeg(750, 500), "image/jpeg") == large


def test_request_ids_differ_between_two_stubs_of_the_same_scenario(start_stub):
    first = client(start_stub()).messages.with_raw_response.create(model=MODEL, max_tokens=5, messages=HELLO)
    second = client(start_stub()).messages.with_raw_response.create(model=MODEL, max_tokens=5, messages=HELLO)
    assert first.headers["request-id"] != second.headers["request-id"]
    assert first.parse().id != second.parse().id


def test_request_ids_replay_exactly_between_two_grades_of_the_same_scenario():
    # A grade's program may log its request ids; the same file must log the same ones every run.
    seen = []
    for _ in range(2):
        with StubThread(load_scenario("healthy"), VirtualClock()) as stub:
            raw = client(stub).messages.with_raw_response.create(model=MODEL, max_tokens=5, messages=HELLO)
            seen.append((raw.headers["request-id"], raw.parse().id))
    assert seen[0] == seen[1]
    assert seen[0][0].startswith("req_") and seen[0][1].startswith("msg_")


def _tool_result_with(image: dict) -> list[dict]:  # type: ignore[type-arg]
    return [{"role": "user", "content": "Look at the chart."},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "chart", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                          "content": [{"type": "text", "text": "Here it is."}, image]}]}]


def _png_block(data: bytes) -> dict:  # type: ignore[type-arg]
    return {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                        "data": base64.b64encode(data).decode()}}


def test_an_image_inside_a_tool_result_counts_its_pixels_like_a_top_level_image(start_stub):
    sdk = client(start_stub())
    tools = [{"name": "chart", "input_schema": {"type": "object"}}]

    def counted(data: bytes) -> int:
        return sdk.messages.count_tokens(model=MODEL, tools=tools, messages=_tool_result_with(_png_block(data))
                                         ).input_tokens

    assert counted(png(750, 500)) - counted(png(75, 100)) == 500 - 10


def test_an_image_inside_a_tool_result_with_bad_data_is_a_400_naming_its_place(start_stub):
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "not base64!"}}
    with pytest.raises(anthropic.BadRequestError) as raised:
        client(start_stub()).messages.create(model=MODEL, max_tokens=50, messages=_tool_result_with(image),
                                             tools=[{"name": "chart", "input_schema": {"type": "object"}}])
    assert raised.value.body["error"]["message"].startswith("messages.2.content.0.content.1.source.base64.data:")
