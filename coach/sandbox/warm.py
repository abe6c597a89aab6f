"""Warm start: a pre-started fork server with `anthropic` already imported (not yet implemented)."""

from __future__ import annotations

from typing import Any


class WarmPool:
    """Placeholder with the final interface; `run_sandboxed(request, pool)` works with it today."""

    def start(self, spec: dict[str, Any]) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        pass
