"""Observed call: one structured log record per request, tied to the request by a correlation id.

Write `observed_call`. `main()` sends five support replies through it; the local API answers
one slowly, cuts one short, and fails two. Run and grade with `coach grade observed-call`
(or Ctrl+R in the app).
"""

import logging
import time  # noqa: F401  (for latency; the sandbox runs it on the scenario clock)
import uuid  # noqa: F401  (for correlation ids)

import anthropic

MODEL = "claude-haiku-5-5"
log = logging.getLogger("support.telemetry")


def observed_call(client: anthropic.Anthropic, feature: str, **request) -> anthropic.types.Message:
    """`client.messages.create(**request)`, with one telemetry record per request.

    TODO:
    - make a correlation id for this call (uuid.uuid4().hex) and send it as the
      `x-correlation-id` header (`extra_headers=...`);
    - time the call with time.monotonic();
    - whatever happens, log exactly ONE record, with these fields in `extra`:
      correlation_id, feature, latency_ms (milliseconds, a number), input_tokens, output_tokens
      and stop_reason (from the answer; None when it failed), error (the exception's class name,
      e.g. "OverloadedError"; None when it succeeded);
    - let the exception propagate after logging it: main() decides what the user sees.
    """
    message = client.messages.create(**request)
    log.info("claude call for %s", feature)
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
