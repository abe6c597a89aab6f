"""Nightly batch, wrong for resubmits-retryable only: an expired request is taken as final and never resubmitted."""

import time

import anthropic

MODEL = "claude-haiku-5-5"
POLL_S = 60.0
"""Seconds between two looks at a batch that is still in progress: batches take minutes to hours."""


def request_for(doc_id: str, note: str) -> dict:
    """The Messages params for one document. Leave as it is: the prompt starts with the document's id."""
    return {"model": MODEL, "max_tokens": 300,
            "messages": [{"role": "user", "content": f"{doc_id}: summarise this delivery note in one line.\n{note}"}]}


RETRY_ERRORS = {"api_error", "overloaded_error"}


def summarise_night(client: anthropic.Anthropic, notes: dict[str, str]) -> dict[str, dict[str, str]]:
    report: dict[str, dict[str, str]] = {}
    batch_notes = dict(notes)
    for _ in range(3):
        if not batch_notes:
            break
        made = client.messages.batches.create(
            requests=[{"custom_id": k, "params": request_for(k, v)} for k, v in batch_notes.items()])
        while client.messages.batches.retrieve(made.id).processing_status != "ended":
            time.sleep(POLL_S)
        next_notes = {}
        for item in client.messages.batches.results(made.id):
            res = item.result
            if res.type == "succeeded":
                report[item.custom_id] = {"status": "summarised",
                                          "summary": "".join(b.text for b in res.message.content if b.type == "text")}
            elif res.type == "errored":
                report[item.custom_id] = {"status": "failed", "reason": res.error.error.type}
                if res.error.error.type in RETRY_ERRORS:
                    next_notes[item.custom_id] = batch_notes[item.custom_id]
            else:
                report[item.custom_id] = {"status": "failed", "reason": f"{res.type}: the batch ran out of time"}
        batch_notes = next_notes
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
