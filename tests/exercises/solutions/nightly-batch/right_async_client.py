"""Nightly batch, right in another style: AsyncAnthropic, asyncio.sleep between polls, results read with async for."""

import asyncio

import anthropic

MODEL = "claude-haiku-5-5"
POLL_S = 60.0
"""Seconds between two looks at a batch that is still in progress: batches take minutes to hours."""


def request_for(doc_id: str, note: str) -> dict:
    """The Messages params for one document. Leave as it is: the prompt starts with the document's id."""
    return {"model": MODEL, "max_tokens": 300,
            "messages": [{"role": "user", "content": f"{doc_id}: summarise this delivery note in one line.\n{note}"}]}


RETRYABLE_ERRORS = {"api_error", "overloaded_error", "rate_limit_error"}


async def run_batch(client: anthropic.AsyncAnthropic, notes: dict[str, str],
                    report: dict[str, dict[str, str]]) -> dict[str, str]:
    """One batch of `notes`; fills `report`; returns the notes that deserve another batch."""
    batch = await client.messages.batches.create(
        requests=[{"custom_id": doc_id, "params": request_for(doc_id, note)} for doc_id, note in notes.items()])
    while (await client.messages.batches.retrieve(batch.id)).processing_status != "ended":
        await asyncio.sleep(POLL_S)
    retry = {}
    async for item in await client.messages.batches.results(batch.id):
        match item.result.type:
            case "succeeded":
                text = "".join(b.text for b in item.result.message.content if b.type == "text")
                report[item.custom_id] = {"status": "summarised", "summary": text}
            case "errored":
                error = item.result.error.error
                report[item.custom_id] = {"status": "failed", "reason": f"{error.type}: {error.message}"}
                if error.type in RETRYABLE_ERRORS:
                    retry[item.custom_id] = notes[item.custom_id]
            case other:  # expired or canceled: never ran
                report[item.custom_id] = {"status": "failed", "reason": other}
                retry[item.custom_id] = notes[item.custom_id]
    return retry


async def summarise_night_async(client: anthropic.AsyncAnthropic, notes: dict[str, str]) -> dict[str, dict[str, str]]:
    report: dict[str, dict[str, str]] = {}
    todo = dict(notes)
    for _round in range(3):
        if not todo:
            break
        todo = await run_batch(client, todo, report)
    return report


NOTES = {f"doc-{n:02d}": note for n, note in enumerate([
    "Pallet of 40 boxes to Riverside depot; two crushed on arrival, photographed.",
    "Signed for by reception at 09:12; the parcel was left with the neighbour at number 14.",
    "Customer refused delivery: the wrong colour was ordered; returned to sender.",
    "Cold-chain van broke down at the A40 services; the load moved to a second van within the hour.",
    "Three attempts, nobody home; the card was left and the parcel went to the collection point.",
    "Fragile glassware delivered intact; the customer asked for the packaging to be taken away.",
    "Scanned twelve thousand pages of customs manifests for the whole quarter, attached in full.",
    "Address was a building site; the driver called the customer and delivered to the site office.",
    "Two of the five parcels were missing from the van; found at the depot and sent the next day.",
    "Delivered early at the customer's request; the invoice was signed and photographed.",
], start=1)}


def main() -> dict[str, dict[str, str]]:
    return asyncio.run(summarise_night_async(anthropic.AsyncAnthropic(max_retries=0), NOTES))


if __name__ == "__main__":
    print(main())
