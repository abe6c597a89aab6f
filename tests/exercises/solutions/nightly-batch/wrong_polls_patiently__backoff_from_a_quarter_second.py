"""Nightly batch, wrong for polls-patiently only (written from scratch): polling backs off from a quarter second."""

import time
from dataclasses import dataclass, field

import anthropic

MODEL = "claude-haiku-5-5"
POLL_S = 60.0
"""Seconds between two looks at a batch that is still in progress: batches take minutes to hours."""


def request_for(doc_id: str, note: str) -> dict:
    """The Messages params for one document. Leave as it is: the prompt starts with the document's id."""
    return {"model": MODEL, "max_tokens": 300,
            "messages": [{"role": "user", "content": f"{doc_id}: summarise this delivery note in one line.\n{note}"}]}


@dataclass
class Night:
    client: anthropic.Anthropic
    report: dict[str, dict[str, str]] = field(default_factory=dict)

    def run_batch(self, work: dict[str, str]) -> dict[str, str]:
        """One batch; returns the notes worth another batch."""
        created = self.client.messages.batches.create(
            requests=[{"custom_id": key, "params": request_for(key, text)} for key, text in work.items()])
        pause = 0.25
        while True:
            status = self.client.messages.batches.retrieve(created.id)
            if status.request_counts.processing == 0 and status.processing_status == "ended":
                break
            time.sleep(pause)
            pause = min(pause * 2, 120.0)
        retry: dict[str, str] = {}
        for entry in self.client.messages.batches.results(created.id):
            kind = entry.result.type
            if kind == "succeeded":
                words = [b.text for b in entry.result.message.content if b.type == "text"]
                self.report[entry.custom_id] = {"status": "summarised", "summary": "".join(words)}
            elif kind == "errored" and entry.result.error.error.type == "invalid_request_error":
                self.report[entry.custom_id] = {"status": "failed", "reason": entry.result.error.error.type}
            else:
                label = entry.result.error.error.type if kind == "errored" else kind
                self.report[entry.custom_id] = {"status": "failed", "reason": label}
                retry[entry.custom_id] = work[entry.custom_id]
        return retry


def summarise_night(client: anthropic.Anthropic, notes: dict[str, str]) -> dict[str, dict[str, str]]:
    night = Night(client)
    work = dict(notes)
    for _ in range(3):
        if work:
            work = night.run_batch(work)
    return night.report

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
