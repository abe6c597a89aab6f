"""Which scripted fault, if any, a request gets: the first fault in the scenario that matches it.

Matching is reproducible: `probability` draws come from the scenario's seed, the fault's
position and the request number, never from a shared random stream whose order would
depend on how concurrent requests interleave.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from coach.stub.scenario import Fault, Scenario


@dataclass(frozen=True)
class RequestFacts:
    number: int  # 1-based count of POST /v1/messages requests
    attempt: int | None  # x-stainless-retry-count
    key_fingerprint: str
    stream: bool
    prompt: str = ""
    """The start of the last user message's text."""


class FaultPlan:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._applied = [0] * len(scenario.faults)
        self._lock = threading.Lock()

    def choose(self, facts: RequestFacts) -> Fault | None:
        if not self.scenario.faults:
            return None
        with self._lock:
            for index, fault in enumerate(self.scenario.faults):
                if self._matches(index, fault, facts):
                    self._applied[index] += 1
                    return fault
        return None

    def _matches(self, index: int, fault: Fault, facts: RequestFacts) -> bool:
        if fault.times is not None and self._applied[index] >= fault.times:
            return False
        if fault.requests is not None and facts.number not in fault.requests:
            return False
        if fault.attempt is not None and facts.attempt != fault.attempt:
            return False
        if fault.key_fingerprint is not None and facts.key_fingerprint != fault.key_fingerprint:
            return False
        if fault.stream is not None and facts.stream != fault.stream:
            return False
        if fault.text is not None and fault.text not in facts.prompt:
            return False
        if fault.probability is not None:
            return _draw(self.scenario.seed, index, facts.number) < fault.probability
        return True


def _draw(seed: int, index: int, number: int) -> float:
    digest = hashlib.sha256(f"{seed}:{index}:{number}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
