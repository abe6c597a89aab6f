"""Async enrichment, wrong: AsyncAnthropic, but an asyncio.run of its own in each of four threads.

Every request truly carries x-stainless-async: async:asyncio, yet four event loops in four threads keep the
requests in flight, not one loop: the header cannot tell, the threads blocked on sockets can.
"""

import asyncio

import anthropic

MODEL = "claude-haiku-5-5"
CONCURRENCY = 4
"""Requests in flight at once, at most. In production, size it to your rate limits."""

TICKETS = [
    "ticket 01: I was charged twice for my March invoice.",
    "ticket 02: My parcel has been stuck in customs for nine days.",
    "ticket 03: I cannot reset my password; the email never arrives.",
    "ticket 04: The blender's lid cracked after two uses.",
    "ticket 05: Please change the billing address on my account.",
    "ticket 06: The tracking link says 'label created' since Monday.",
    "ticket 07: Attached is our full server log export, 900 pages, please find the error.",
    "ticket 08: How do I add a second user to our team plan?",
    "ticket 09: The refund you promised has not reached my card.",
    "ticket 10: The charger that came with the lamp does not fit EU sockets.",
    "ticket 11: I was logged out on every device and cannot sign back in.",
    "ticket 12: The courier left my order at the wrong address.",
]


def request_for(ticket: str) -> dict:
    """The Messages request that tags one ticket. Leave as it is."""
    return {
        "model": MODEL,
        "max_tokens": 10,
        "messages": [{"role": "user", "content": f"{ticket}\n\nTag this support ticket with one word: "
                                                 "billing, shipping, account or product."}],
    }


async def enrich_all(tickets: list[str]) -> list[anthropic.types.Message | Exception]:
    from concurrent.futures import ThreadPoolExecutor

    def one(ticket: str) -> anthropic.types.Message | Exception:
        async def go() -> anthropic.types.Message | Exception:
            async with anthropic.AsyncAnthropic() as client:
                try:
                    return await client.messages.create(**request_for(ticket))
                except anthropic.APIError as error:
                    return error
        return asyncio.run(go())

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        return list(pool.map(one, tickets))


def main() -> list[dict[str, str | None]]:
    """Tag every ticket; one row per result, in the order enrich_all returned them. Leave as it is."""
    results = asyncio.run(enrich_all(TICKETS))
    rows = []
    for result in results:
        if isinstance(result, anthropic.types.Message):
            text = "".join(b.text for b in result.content if b.type == "text")
            rows.append({"request_id": result._request_id, "category": text, "error": None})
        else:
            rows.append({"request_id": None, "category": None, "error": f"{type(result).__name__}: {result}"})
    return rows


if __name__ == "__main__":
    for ticket, row in zip(TICKETS, main()):
        print(f"{ticket[:9]}  {row['category'] or row['error']}")
