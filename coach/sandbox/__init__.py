"""Run untrusted learner code: isolated, limited, on the scenario clock, against the stub only."""

from coach.sandbox.model import SANDBOX_API_KEY, Limits, SandboxRequest, SandboxResult, StubEndpoint
from coach.sandbox.runner import run_sandboxed
from coach.sandbox.warm import WarmPool

__all__ = [
    "SANDBOX_API_KEY",
    "Limits",
    "SandboxRequest",
    "SandboxResult",
    "StubEndpoint",
    "WarmPool",
    "run_sandboxed",
]
