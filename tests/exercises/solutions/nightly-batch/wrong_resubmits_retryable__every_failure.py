"""Nightly batch, wrong for resubmits-retryable only (written from scratch): every failure goes again, invalid too."""

import time

import anthropic

MODEL = "claude-haiku-5-5"
POLL_S = 60.0
"""Seconds between two looks at a batch that is still in progress: batches take minutes to hours."""


def request_for(doc_id: str, note: str) -> dict:
    """The Messages params for one document. Leave as it is: the prompt starts with the document's id."""
    return {"model": MODEL, "max_tokens": 300,
            "messages": [{"role": "user", "content": f"{doc_id}: summarise this delivery note in one line.\n{note}"}]}


def summarise_night(client: anthropic.Anthropic, notes: dict[str, str]) -> dict[str, dict[str, str]]:
    outcome: dict[str, dict[str, str]] = {}
    left = list(notes)
    attempt = 0
    while left and attempt < 2:
        attempt += 1
        job = client.messages.batches.create(
            requests=[{"custom_id": doc, "params": request_for(doc, notes[doc])} for doc in left])
        while client.messages.batches.retrieve(job.id).processing_status == "in_progress":
            time.sleep(POLL_S)
        left = []
        for line in client.messages.batches.results(job.id):
            if line.result.type == "succeeded":
                texts = [block.text for block in line.result.message.content if block.type == "text"]
                outcome[line.custom_id] = {"status": "summarised", "summary": "".join(texts)}
            else:
                kind = line.result.error.error.type if line.result.type == "errored" else line.result.type
                outcome[line.custom_id] = {"status": "failed", "reason": f"{kind} (attempt {attempt})"}
                left.append(line.custom_id)  # any failure gets another go
    return outcome

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
    """Summarise the night's notes; return the report. Leave as it is."""
    client = anthropic.Anthropic(max_retries=0)
    return summarise_night(client, NOTES)


if __name__ == "__main__":
    print(main())
