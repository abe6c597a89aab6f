"""Run untrusted learner code: isolated, limited, on the scenario clock, against the stub only.

The names below load on first use (PEP 562): a cold `coach grade` starts the warm pool's server
from `coach.sandbox.warm` before anything else, and the fork server imports `coach.sandbox.forkserver`
before the SDK. Neither should pay for the runner, its asyncio and its dataclasses first.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coach.sandbox.model import SANDBOX_API_KEY, Limits, SandboxRequest, SandboxResult, StubEndpoint
    from coach.sandbox.runner import run_sandboxed
    from coach.sandbox.warm import WarmPool

_HOMES = {"SANDBOX_API_KEY": "model", "Limits": "model", "SandboxRequest": "model", "SandboxResult": "model",
          "StubEndpoint": "model", "run_sandboxed": "runner", "WarmPool": "warm"}

__all__ = ["SANDBOX_API_KEY", "Limits", "SandboxRequest", "SandboxResult", "StubEndpoint", "WarmPool", "run_sandboxed"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'coach.sandbox' has no attribute {name!r}")
    return getattr(importlib.import_module(f"coach.sandbox.{home}"), name)
