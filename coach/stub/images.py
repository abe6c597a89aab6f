"""Image blocks: the base64 data must decode and match its media type, and an image costs about
width × height / 750 tokens, read from the decoded image's header (PNG, JPEG, GIF and WebP all say
their size in their first bytes, so no imaging library is needed).

Images whose long edge exceeds 1568 px, or that would cost more than about 1,600 tokens, are
counted as the API scales them down first (official vision page).
"""

from __future__ import annotations

import base64
import binascii
import math
import struct
from typing import Any


class ImageError(ValueError):
    """An image block whose data is not the image it says it is; the message is the API's 400 message."""

MAX_LONG_EDGE = 1568
MAX_IMAGE_TOKENS = 1600
PIXELS_PER_TOKEN = 750
URL_IMAGE_TOKENS = MAX_IMAGE_TOKENS
"""An image given by URL: the stub never fetches (loopback only), so it counts the largest size."""


def image_tokens(block: dict[str, Any], where: str) -> int:
    """Tokens of one image block, or `ImageError` for data that is not the image it says it is."""
    source = block["source"]
    if source["type"] != "base64":
        return URL_IMAGE_TOKENS
    try:
        data = base64.b64decode(source["data"], validate=True)
    except (binascii.Error, ValueError):
        raise ImageError(f"{where}.source.base64.data: The image data is not valid base64.") from None
    found = dimensions(data)
    if found is None:
        raise ImageError(f"{where}.source.base64.data: The image data could not be read as "
                      f"{source['media_type']}: it is not a PNG, JPEG, GIF or WebP image.")
    kind, width, height = found
    if kind != source["media_type"]:
        raise ImageError(f"{where}.source.base64: Image does not match the provided media type "
                      f"{source['media_type']}")
    return tokens_for(width, height)


def tokens_for(width: int, height: int) -> int:
    scale = min(1.0, MAX_LONG_EDGE / max(width, height, 1),
                math.sqrt(MAX_IMAGE_TOKENS * PIXELS_PER_TOKEN / max(width * height, 1)))
    return max(1, math.ceil(int(width * scale) * int(height * scale) / PIXELS_PER_TOKEN))


def dimensions(data: bytes) -> tuple[str, int, int] | None:
    """(media type, width, height) from an image's header, or None when it is none of the four."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return "image/gif", width, height
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        return _webp(data)
    if data[:2] == b"\xff\xd8":
        return _jpeg(data)
    return None


def _webp(data: bytes) -> tuple[str, int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return "image/webp", width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and data[20:21] == b"\x2f":
        bits = int.from_bytes(data[21:25], "little")
        return "image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return "image/webp", width, height
    return None


_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> tuple[str, int, int] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        length = int.from_bytes(data[at + 2:at + 4], "big")
        if marker in _SOF_MARKERS and at + 9 <= len(data):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return "image/jpeg", width, height
        at += 2 + length
    return None
