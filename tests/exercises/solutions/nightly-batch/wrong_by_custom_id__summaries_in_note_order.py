"""Nightly batch, wrong for by-custom-id only (written from scratch): summaries handed to the notes in their order."""

import time

import anthropic

MODEL = "claude-haiku-5-5"
POLL_S = 60.0
"""Seconds between two looks at a batch that is still in progress: batches take minutes to hours."""


def request_for(doc_id: str, note: str) -> dict:
    """The Messages params for one document. Leave as it is: the prompt starts with the document's id."""
    return {"model": MODEL, "max_tokens": 300,
            "messages": [{"role": "user", "content": f"{doc_id}: summarise this delivery note in one line.\n{note}"}]}


def _ended(client: anthropic.Anthropic, batch_id: str) -> None:
    while client.messages.batches.retrieve(batch_id).processing_status != "ended":
        time.sleep(POLL_S)


def summarise_night(client: anthropic.Anthropic, notes: dict[str, str]) -> dict[str, dict[str, str]]:
    report: dict[str, dict[str, str]] = {}
    queue = list(notes)
    rounds = 0
    while queue and rounds < 3:
        rounds += 1
        batch = client.messages.batches.create(
            requests=[{"custom_id": doc, "params": request_for(doc, notes[doc])} for doc in queue])
        _ended(client, batch.id)
        answers: list[str] = []
        done: set[str] = set()
        retry: list[str] = []
        for row in client.messages.batches.results(batch.id):
            if row.result.type == "succeeded":
                done.add(row.custom_id)
                answers.append("".join(b.text for b in row.result.message.content if b.type == "text"))
            elif row.result.type == "errored" and row.result.error.error.type == "invalid_request_error":
                report[row.custom_id] = {"status": "failed", "reason": "invalid_request_error"}
            else:
                reason = row.result.type if row.result.type != "errored" else row.result.error.error.type
                report[row.custom_id] = {"status": "failed", "reason": reason}
                retry.append(row.custom_id)
        for doc, answer in zip([d for d in queue if d in done], answers, strict=True):
            report[doc] = {"status": "summarised", "summary": answer}
        queue = retry
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
