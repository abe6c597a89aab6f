"""SSE parser, wrong: hands the stream to the SDK's streaming helper instead of reading the events itself.

Written from scratch, not from the reference: every answer is right, but the anthropic package did the parsing
the exercise is about (its requests carry the x-stainless-* headers).
"""

import anthropic

MODEL = "claude-haiku-5-5"
client = anthropic.Anthropic(max_retries=0)


class StreamError(Exception):
    """The API reported an error in the middle of the stream (an `event: error`)."""


def stream_reply(prompt: str, max_tokens: int) -> dict:
    try:
        with client.messages.stream(model=MODEL, max_tokens=max_tokens,
                                    messages=[{"role": "user", "content": prompt}]) as stream:
            text = "".join(stream.text_stream)
            message = stream.get_final_message()
    except anthropic.APIStatusError as error:  # the SDK raises an error event as this, status 200
        raise StreamError(str(error)) from error
    return {"text": text, "stop_reason": message.stop_reason}


CASES = {"plain": 200, "short": 5, "keepalive": 200, "overloaded": 200}
"""Each case and the max_tokens it asks for."""


def main() -> dict[str, dict]:
    """Ask once per case; return what the parser made of each stream. Leave as it is."""
    replies = {}
    for case, max_tokens in CASES.items():
        try:
            replies[case] = stream_reply(f"case {case}: where is my parcel?", max_tokens)
        except Exception as error:  # a broken stream must not hide the others
            replies[case] = {"error": f"{type(error).__name__}: {error}"[:300]}
    return replies


if __name__ == "__main__":
    for case, reply in main().items():
        print(f"{case:>10}: {reply}")
