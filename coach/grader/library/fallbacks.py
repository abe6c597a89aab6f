"""Checks for safe answers: a fallback per error class and stop_reason handling (lesson 4)."""

from __future__ import annotations
