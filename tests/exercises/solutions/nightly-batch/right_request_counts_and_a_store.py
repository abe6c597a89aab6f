"""Nightly batch, right in another style: the batch id kept in a store so a restart resumes, polls read request_counts
and the deadline in expires_at, results gathered into a dict first, outcomes as dataclasses."""

import time
from dataclasses import asdict, dataclass

import anthropic

MODEL = "claude-haiku-5-5"
POLL_S = 60.0
"""Seconds between two looks at a batch that is still in progress: batches take minutes to hours."""


def request_for(doc_id: str, note: str) -> dict:
    """The Messages params for one document. Leave as it is: the prompt starts with the document's id."""
    return {"model": MODEL, "max_tokens": 300,
            "messages": [{"role": "user", "content": f"{doc_id}: summarise this delivery note in one line.\n{note}"}]}


NEVER_RAN = ("expired", "canceled")


@dataclass
class Outcome:
    status: str
    summary: str | None = None
    reason: str | None = None

    def row(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None}


class Store:
    """Where a real job would keep the batch id (a file, a table): here a dict that outlives one round."""

    def __init__(self) -> None:
        self.batch_id: str | None = None


def wait_until_ended(client: anthropic.Anthropic, batch_id: str) -> None:
    while True:
        batch = client.messages.batches.retrieve(batch_id)
        if batch.processing_status == "ended":
            return
        print(f"{batch.request_counts.processing} still processing; gives up by {batch.expires_at:%H:%M}")
        time.sleep(POLL_S * 1.5)


def summarise_night(client: anthropic.Anthropic, notes: dict[str, str]) -> dict[str, dict[str, str]]:
    outcomes: dict[str, Outcome] = {}
    store = Store()
    todo = sorted(notes)
    rounds = 0
    while todo and rounds < 4:
        rounds += 1
        if store.batch_id is None:
            store.batch_id = client.messages.batches.create(
                requests=[{"custom_id": d, "params": request_for(d, notes[d])} for d in todo]).id
        wait_until_ended(client, store.batch_id)
        results = {item.custom_id: item.result for item in client.messages.batches.results(store.batch_id)}
        store.batch_id = None
        todo = []
        for doc_id, result in results.items():
            if result.type == "succeeded":
                summary = " ".join(b.text for b in result.message.content if b.type == "text")
                outcomes[doc_id] = Outcome("summarised", summary=summary)
            elif result.type in NEVER_RAN:
                outcomes[doc_id] = Outcome("failed", reason=f"{result.type} before it ran")
                todo.append(doc_id)
            elif result.error.error.type == "invalid_request_error":
                outcomes[doc_id] = Outcome("failed", reason=f"invalid_request_error: {result.error.error.message}")
            else:
                outcomes[doc_id] = Outcome("failed", reason=f"{result.error.error.type} (the API's own error)")
                todo.append(doc_id)
    return {doc_id: outcome.row() for doc_id, outcome in sorted(outcomes.items())}


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
