"""A first call: starter code."""

import anthropic


def main() -> str:
    client = anthropic.Anthropic()
    raise NotImplementedError("call client.messages.create and return the text")
