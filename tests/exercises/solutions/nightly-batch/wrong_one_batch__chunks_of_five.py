"""Nightly batch, wrong for one-batch only (written from scratch): the notes go out in batches of five."""

import time

import anthropic

MODEL = "claude-haiku-5-5"
POLL_S = 60.0
"""Seconds between two looks at a batch that is still in progress: batches take minutes to hours."""


def request_for(doc_id: str, note: str) -> dict:
    """The Messages params for one document. Leave as it is: the prompt starts with the document's id."""
    return {"model": MODEL, "max_tokens": 300,
            "messages": [{"role": "user", "content": f"{doc_id}: summarise this delivery note in one line.\n{note}"}]}


CHUNK = 5
FINAL = ("invalid_request_error",)


def _wait(client: anthropic.Anthropic, batch_ids: list[str]) -> None:
    waiting = set(batch_ids)
    while waiting:
        waiting = {b for b in waiting if client.messages.batches.retrieve(b).processing_status != "ended"}
        if waiting:
            time.sleep(POLL_S)


def _send(client: anthropic.Anthropic, items: dict[str, str]) -> list[str]:
    keys = list(items)
    chunks = [keys[i:i + CHUNK] for i in range(0, len(keys), CHUNK)]
    return [client.messages.batches.create(requests=[{"custom_id": d, "params": request_for(d, items[d])}
                                                     for d in chunk]).id
            for chunk in chunks]


def summarise_night(client: anthropic.Anthropic, notes: dict[str, str]) -> dict[str, dict[str, str]]:
    report: dict[str, dict[str, str]] = {}
    todo = dict(notes)
    for _round in range(3):
        if not todo:
            break
        ids = _send(client, todo)
        _wait(client, ids)
        retry = {}
        for batch_id in ids:
            for line in client.messages.batches.results(batch_id):
                r = line.result
                if r.type == "succeeded":
                    report[line.custom_id] = {"status": "summarised",
                                              "summary": "".join(b.text for b in r.message.content if b.type == "text")}
                    continue
                why = r.error.error.type if r.type == "errored" else r.type
                report[line.custom_id] = {"status": "failed", "reason": why}
                if why not in FINAL:
                    retry[line.custom_id] = todo[line.custom_id]
        todo = retry
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
