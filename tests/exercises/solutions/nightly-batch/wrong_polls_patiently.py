"""Nightly batch, wrong for polls-patiently only: a one-second poll, hundreds of requests for a batch of minutes."""

import time

import anthropic

MODEL = "claude-haiku-5-5"
POLL_S = 60.0
"""Seconds between two looks at a batch that is still in progress: batches take minutes to hours."""


def request_for(doc_id: str, note: str) -> dict:
    """The Messages params for one document. Leave as it is: the prompt starts with the document's id."""
    return {"model": MODEL, "max_tokens": 300,
            "messages": [{"role": "user", "content": f"{doc_id}: summarise this delivery note in one line.\n{note}"}]}


MAX_ROUNDS = 3
"""The first batch and at most two resubmissions."""
FINAL_ERRORS = {"invalid_request_error"}
"""Errored results that would fail again as they are: the request itself is wrong."""


def summarise_night(client: anthropic.Anthropic, notes: dict[str, str]) -> dict[str, dict[str, str]]:
    """Summarise every note as a Message Batch; resubmit what the API did not finish; report every note."""
    report: dict[str, dict[str, str]] = {}
    pending = dict(notes)
    for _ in range(MAX_ROUNDS):
        if not pending:
            break
        batch = client.messages.batches.create(requests=[
            {"custom_id": doc_id, "params": request_for(doc_id, note)} for doc_id, note in pending.items()])
        while client.messages.batches.retrieve(batch.id).processing_status != "ended":
            time.sleep(1.0)
        again = {}
        for item in client.messages.batches.results(batch.id):
            result = item.result
            if result.type == "succeeded":
                text = "".join(block.text for block in result.message.content if block.type == "text")
                report[item.custom_id] = {"status": "summarised", "summary": text}
            elif result.type == "errored" and result.error.error.type in FINAL_ERRORS:
                error = result.error.error
                report[item.custom_id] = {"status": "failed", "reason": f"{error.type}: {error.message}"}
            else:  # expired, canceled, or an error on the API's side: worth another batch
                reason = result.error.error.type if result.type == "errored" else result.type
                report[item.custom_id] = {"status": "failed", "reason": f"{reason} after {MAX_ROUNDS} batches"}
                again[item.custom_id] = pending[item.custom_id]
        pending = again
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
