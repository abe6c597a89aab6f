"""Checks for streamed replies and raw SSE parsing (lesson 3)."""

from __future__ import annotations
