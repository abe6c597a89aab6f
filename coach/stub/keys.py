"""API keys are matched and journaled by fingerprint only: the key itself is never kept."""

from __future__ import annotations

import hashlib


def key_fingerprint(key: str) -> str:
    """A short, stable hash prefix that tells keys apart without revealing them."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
