"""A first call: the reference.

Why it is written this way: the client is built once and the text of the first block is returned,
so the caller never sees the SDK's objects.
"""

import anthropic


def main() -> str:
    client = anthropic.Anthropic()
    message = client.messages.create(
        model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
    )
    return message.content[0].text
