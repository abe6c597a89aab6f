"""Checks for bounded concurrency with AsyncAnthropic (lesson 3)."""

from __future__ import annotations
