"""Checks for token budgets, cost accumulators and prompt caching (lesson 2)."""

from __future__ import annotations
