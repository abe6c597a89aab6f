"""Nightly batch: summarise the day's delivery notes as one Message Batch, at half the price.

Write `summarise_night`. `main()` hands it ten delivery notes and returns its report. This starter
sends them one by one to /v1/messages, as a chat would; nobody is waiting for these answers, so
they belong in a Message Batch. Run and grade with `coach grade nightly-batch` (or Ctrl+R in the app).
"""

import anthropic

MODEL = "claude-haiku-5-5"
POLL_S = 60.0
"""Seconds between two looks at a batch that is still in progress: batches take minutes to hours."""


def request_for(doc_id: str, note: str) -> dict:
    """The Messages params for one document. Leave as it is: the prompt starts with the document's id."""
    return {"model": MODEL, "max_tokens": 300,
            "messages": [{"role": "user", "content": f"{doc_id}: summarise this delivery note in one line.\n{note}"}]}


def summarise_night(client: anthropic.Anthropic, notes: dict[str, str]) -> dict[str, dict[str, str]]:
    """Summarise every note; return {doc_id: {"status": "summarised", "summary": text}} or, for a note that
    could not be summarised, {doc_id: {"status": "failed", "reason": why}}.

    TODO:
    - send every note in ONE client.messages.batches.create(requests=[...]), one request per note:
      {"custom_id": doc_id, "params": request_for(doc_id, note)};
    - poll client.messages.batches.retrieve(batch_id) every POLL_S seconds until its processing_status
      is "ended";
    - read client.messages.batches.results(batch_id) and file each result under its custom_id: the
      results come in no set order;
    - a request that came back expired, canceled, or errored on the API's side goes into a new batch;
      one refused as invalid_request_error would fail again as it is, so report it failed instead;
    - report every note: summarised with its text, or failed with a reason that names the error.
    """
    report = {}
    for doc_id, note in notes.items():
        try:
            message = client.messages.create(**request_for(doc_id, note))
        except anthropic.APIStatusError as error:
            report[doc_id] = {"status": "failed", "reason": f"{error.status_code} {error.message}"}
            continue
        text = "".join(block.text for block in message.content if block.type == "text")
        report[doc_id] = {"status": "summarised", "summary": text}
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
