"""Observed call, wrong: starts the clock once the answer is back, so it times only the bookkeeping.

Written from scratch, not from the reference: the record is filled by a context manager around the call.
"""

import contextlib
import logging
import time
import uuid

import anthropic

MODEL = "claude-haiku-5-5"
log = logging.getLogger("support.telemetry")


@contextlib.contextmanager
def telemetry(feature: str):
    """Yield the record to fill; log it once when the block ends, however it ends."""
    fields = {"correlation_id": str(uuid.uuid4()), "feature": feature, "input_tokens": None,
              "output_tokens": None, "stop_reason": None, "error": None}
    t0 = time.monotonic()
    try:
        yield fields
    except anthropic.APIError as exc:
        fields["error"] = exc.__class__.__name__
        raise
    finally:
        fields["latency_ms"] = (time.monotonic() - fields.get("answered_at", t0)) * 1000.0
        log.info("claude call", extra=fields)


def observed_call(client: anthropic.Anthropic, feature: str, **request) -> anthropic.types.Message:
    with telemetry(feature) as fields:
        message = client.messages.create(**request, extra_headers={"x-correlation-id": fields["correlation_id"]})
        fields["answered_at"] = time.monotonic()
        usage = message.usage
        fields.update(input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
                      stop_reason=message.stop_reason)
        return message


CASES = {"answered": 300, "slow": 300, "truncated": 12, "overloaded": 300, "bad-request": 300}
"""Each case and the max_tokens it asks for."""


def main() -> dict[str, str]:
    """Send one reply per case; return each outcome. Leave as it is."""
    client = anthropic.Anthropic(max_retries=0)  # one call, one request: each gets its own record
    outcomes = {}
    for case, max_tokens in CASES.items():
        try:
            message = observed_call(client, "support-reply", model=MODEL, max_tokens=max_tokens,
                                    messages=[{"role": "user", "content": f"case {case}: where is my parcel?"}])
            outcomes[case] = f"answered ({message.stop_reason})"
        except anthropic.APIError as error:
            outcomes[case] = f"failed ({type(error).__name__})"
    return outcomes


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    for case, outcome in main().items():
        print(f"{case:>12}: {outcome}")
