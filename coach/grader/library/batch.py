"""Checks for batch pipelines under rate limits (lesson 1)."""

from __future__ import annotations
