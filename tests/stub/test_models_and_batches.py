"""/v1/models from the catalogue, and Message Batches on the scenario clock, through the official SDK."""

from __future__ import annotations

import asyncio
import time

import anthropic
import pytest

from coach import catalogue
from tests.stub.conftest import HELLO, MODEL, UNPACED, client

BATCHED = UNPACED + """
[batch]
seconds = 120

[[batch_faults]]
custom_ids = ["overloaded-one"]
result = "errored"
error_type = "overloaded_error"

[[batch_faults]]
custom_ids = ["late-one"]
result = "expired"
"""


def request(custom_id: str, model: str = MODEL) -> dict:
    return {"custom_id": custom_id, "params": {"model": model, "max_tokens": 20, "messages": HELLO}}


def ended(sdk: anthropic.Anthropic, batch_id: str):  # type: ignore[no-untyped-def]
    for _ in range(2000):
        batch = sdk.messages.batches.retrieve(batch_id)
        if batch.processing_status == "ended":
            return batch
        time.sleep(0.005)
    raise AssertionError("the batch never ended")


def test_models_list_holds_every_served_catalogue_model(start_stub):
    listed = [m.id for m in client(start_stub()).models.list()]
    assert set(listed) == {row.id for row in catalogue.load() if row.served}


def test_models_list_pages_with_limit_and_after_id(start_stub):
    sdk = client(start_stub())
    first = sdk.models.list(limit=2)
    assert len(first.data) == 2 and first.has_more
    second = sdk.models.list(limit=2, after_id=first.last_id)
    assert second.data[0].id not in {m.id for m in first.data}
    assert [m.id for m in sdk.models.list(limit=2)] == [m.id for m in sdk.models.list()]  # auto-paging


def test_models_retrieve_gives_limits_and_lifecycle(start_stub):
    info = client(start_stub()).models.retrieve("claude-opus-4-5")
    row = catalogue.load().get("claude-opus-4-5")
    assert info.max_tokens == row.max_output and info.max_input_tokens == row.context_window
    assert info.lifecycle == "deprecated" and info.retires_at is not None


def test_models_retrieve_of_an_unknown_id_is_404(start_stub):
    with pytest.raises(anthropic.NotFoundError):
        client(start_stub()).models.retrieve("claude-nonexistent-9")


def test_a_batch_is_in_progress_then_ends_with_one_result_per_custom_id(start_stub):
    sdk = client(start_stub(BATCHED))
    batch = sdk.messages.batches.create(requests=[request("a"), request("b")])
    assert batch.processing_status == "in_progress" and batch.request_counts.processing == 2
    assert batch.results_url is None
    done = ended(sdk, batch.id)
    assert done.request_counts.succeeded == 2 and done.results_url
    results = {r.custom_id: r.result for r in sdk.messages.batches.results(batch.id)}
    assert set(results) == {"a", "b"} and all(r.type == "succeeded" for r in results.values())
    assert results["a"].message.content[0].type == "text"


def test_batch_results_are_errored_or_expired_as_scripted_per_custom_id(start_stub):
    sdk = client(start_stub(BATCHED))
    batch = sdk.messages.batches.create(requests=[request("fine"), request("overloaded-one"), request("late-one"),
                                                  request("bad-model", "claude-nonexistent-9")])
    ended(sdk, batch.id)
    results = {r.custom_id: r.result for r in sdk.messages.batches.results(batch.id)}
    assert results["fine"].type == "succeeded" and results["late-one"].type == "expired"
    assert results["overloaded-one"].type == "errored"
    assert results["overloaded-one"].error.error.type == "overloaded_error"
    assert results["bad-model"].error.error.type == "not_found_error"


def test_a_canceled_batch_ends_with_canceled_results(start_stub):
    sdk = client(start_stub(BATCHED))
    batch = sdk.messages.batches.create(requests=[request("a"), request("b")])
    assert sdk.messages.batches.cancel(batch.id).processing_status == "canceling"
    done = ended(sdk, batch.id)
    assert done.request_counts.canceled == 2 and done.cancel_initiated_at is not None
    assert {r.result.type for r in sdk.messages.batches.results(batch.id)} == {"canceled"}


def test_batches_are_listed_newest_first_and_can_be_deleted_once_ended(start_stub):
    sdk = client(start_stub(BATCHED))
    first = sdk.messages.batches.create(requests=[request("a")])
    second = sdk.messages.batches.create(requests=[request("a")])
    assert [b.id for b in sdk.messages.batches.list()][:2] == [second.id, first.id]
    with pytest.raises(anthropic.BadRequestError):
        sdk.messages.batches.delete(first.id)
    ended(sdk, first.id)
    assert sdk.messages.batches.delete(first.id).type == "message_batch_deleted"
    with pytest.raises(anthropic.NotFoundError):
        sdk.messages.batches.retrieve(first.id)


def test_a_batch_with_a_repeated_custom_id_is_refused(start_stub):
    with pytest.raises(anthropic.BadRequestError, match="custom_id"):
        client(start_stub()).messages.batches.create(requests=[request("a"), request("a")])


def test_a_batch_request_with_an_unknown_field_is_refused_with_its_path(start_stub):
    bad = {"custom_id": "a", "params": {"model": MODEL, "max_tokens": 5, "messages": HELLO, "foo": 1}}
    with pytest.raises(anthropic.BadRequestError, match=r"requests\.0\.params\.foo: Extra inputs"):
        client(start_stub()).messages.batches.create(requests=[bad])


def test_batch_usage_is_on_the_batch_tier(start_stub):
    sdk = client(start_stub(BATCHED))
    batch = sdk.messages.batches.create(requests=[request("a")])
    ended(sdk, batch.id)
    (result,) = list(sdk.messages.batches.results(batch.id))
    assert result.result.message.usage.service_tier == "batch"


ONCE = UNPACED + """
[batch]
seconds = 120
shuffle_results = true

[[batch_faults]]
custom_ids = ["flaky"]
result = "errored"
error_type = "overloaded_error"
times = 1
"""


def test_a_fault_with_times_hits_only_that_many_results_so_a_resubmission_gets_past_it(start_stub):
    sdk = client(start_stub(ONCE))
    first = sdk.messages.batches.create(requests=[request("flaky")])
    ended(sdk, first.id)
    second = sdk.messages.batches.create(requests=[request("flaky")])
    ended(sdk, second.id)
    assert [r.result.type for r in sdk.messages.batches.results(first.id)] == ["errored"]
    assert [r.result.type for r in sdk.messages.batches.results(second.id)] == ["succeeded"]


def test_shuffled_results_come_in_a_seeded_order_that_is_not_the_requests_order(start_stub):
    ids = [f"doc-{n:02d}" for n in range(1, 11)]
    orders = []
    for _ in range(2):
        sdk = client(start_stub(ONCE))
        batch = sdk.messages.batches.create(requests=[request(i) for i in ids])
        ended(sdk, batch.id)
        orders.append([r.custom_id for r in sdk.messages.batches.results(batch.id)])
    assert sorted(orders[0]) == ids and orders[0] != ids
    assert orders[0] == orders[1]


def test_the_journal_keeps_what_each_batch_call_sent_and_answered(start_stub):
    stub = start_stub(ONCE)
    sdk = client(stub)
    batch = sdk.messages.batches.create(requests=[request("flaky"), request("fine")])
    ended(sdk, batch.id)
    list(sdk.messages.batches.results(batch.id))
    entries = [e for e in stub.journal.entries() if e.path.startswith("/v1/messages/batches")]
    create, *polls, before_results, download = entries
    assert [r["custom_id"] for r in create.batch["requests"]] == ["flaky", "fine"]
    assert create.batch["requests"][0]["prompt"] and create.batch["number"] == 1
    assert {p.batch["processing_status"] for p in polls[:-1]} == {"in_progress"}
    assert before_results.batch["processing_status"] == "ended"
    assert {r["custom_id"]: r["type"] for r in download.batch["results"]} == {"flaky": "errored", "fine": "succeeded"}
    assert [r.get("error_type") for r in download.batch["results"] if r["custom_id"] == "flaky"] == ["overloaded_error"]


class StoppedClock:
    """Scenario time that moves only when the test says so; timed waits never end by themselves."""

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def wall_time(self) -> float:
        return 1_800_000_000.0 + self.t

    async def asleep(self, seconds: float) -> None:
        await asyncio.Event().wait()


def test_a_batch_asked_about_at_the_instant_it_ends_has_ended_whichever_side_runs_first(tmp_path):
    """The stub's own timer and the program's poll may wake at the same scenario instant in either order."""
    from coach.stub.batches import Batches
    from coach.stub.scenario import parse_scenario

    scenario = parse_scenario(ONCE, tmp_path / "once.toml")
    clock = StoppedClock()

    async def scenario_run() -> tuple[str, str, list[str]]:
        batches = Batches(scenario, clock, lambda prefix: f"{prefix}1", lambda params: {"content": []})
        created = batches.create({"requests": [{"custom_id": "flaky", "params": {}}, {"custom_id": "b", "params": {}}]},
                                 "http://stub")
        clock.t = 119.999
        before = batches.retrieve(created["id"], "http://stub")["processing_status"]
        clock.t = 120.0  # the timer has not fired (it never does here): the poll itself settles the batch
        after = batches.retrieve(created["id"], "http://stub")
        kinds = [line["result"]["type"] for line in batches.results(created["id"])]
        batches.close()
        return before, after["processing_status"], kinds

    before, after, kinds = asyncio.run(scenario_run())
    assert (before, after) == ("in_progress", "ended")
    assert sorted(kinds) == ["errored", "succeeded"]
