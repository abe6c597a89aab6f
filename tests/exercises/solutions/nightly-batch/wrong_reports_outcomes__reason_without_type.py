"""Nightly batch, wrong for reports-outcomes only (written from scratch): a failure's reason says nothing of why."""

import time

import anthropic

MODEL = "claude-haiku-5-5"
POLL_S = 60.0
"""Seconds between two looks at a batch that is still in progress: batches take minutes to hours."""


def request_for(doc_id: str, note: str) -> dict:
    """The Messages params for one document. Leave as it is: the prompt starts with the document's id."""
    return {"model": MODEL, "max_tokens": 300,
            "messages": [{"role": "user", "content": f"{doc_id}: summarise this delivery note in one line.\n{note}"}]}


def _collect(client: anthropic.Anthropic, batch_id: str) -> dict[str, object]:
    while client.messages.batches.retrieve(batch_id).processing_status != "ended":
        time.sleep(POLL_S)
    return {row.custom_id: row.result for row in client.messages.batches.results(batch_id)}


def summarise_night(client: anthropic.Anthropic, notes: dict[str, str]) -> dict[str, dict[str, str]]:
    results: dict[str, object] = {}
    wanted = list(notes)
    for _ in range(3):
        if not wanted:
            break
        batch = client.messages.batches.create(
            requests=[{"custom_id": n, "params": request_for(n, notes[n])} for n in wanted])
        results.update(_collect(client, batch.id))
        wanted = [n for n, r in results.items() if r.type in ("expired", "canceled")
                  or (r.type == "errored" and r.error.error.type != "invalid_request_error")]
    report = {}
    for n, r in results.items():
        if r.type == "succeeded":
            text = "".join(b.text for b in r.message.content if b.type == "text")
            report[n] = {"status": "summarised", "summary": text}
        else:
            report[n] = {"status": "failed", "reason": "could not be summarised"}
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
    """Summarise the night's notes; return the report. Leave as it is."""
    client = anthropic.Anthropic(max_retries=0)
    return summarise_night(client, NOTES)


if __name__ == "__main__":
    print(main())
