"""The coach streams from the API, caches the lesson, and says who saw which request."""

from coach.tutor.reply import RESTART

from .conftest import TEST_KEY, reply, stub_running


async def test_reply_arrives_in_several_chunks(coach_for):
    with stub_running("healthy") as stub:
        session = coach_for(stub.base_url)
        pieces = await reply(session)
    assert len(pieces) >= 3
    assert session.online and session.tokens > 0 and session.cost_usd > 0


async def test_second_turn_reads_the_lesson_from_the_cache(coach_for):
    with stub_running("healthy") as stub:
        session = coach_for(stub.base_url)
        await reply(session)
        await reply(session, "and a 529?")
    first, second = session.telemetry.records()
    assert first["cache_creation_input_tokens"] > 0
    assert second["cache_read_input_tokens"] >= first["cache_creation_input_tokens"]


async def test_telemetry_line_has_the_correlation_id_the_stub_saw(coach_for):
    with stub_running("healthy") as stub:
        session = coach_for(stub.base_url)
        await reply(session)
        seen = stub.journal.entries()
    (record,) = session.telemetry.records()
    assert seen[0].client_ids["x-correlation-id"] == record["correlation_id"]
    assert record["stop_reason"] == "end_turn" and record["error_class"] is None
    assert record["ttft_s"] is not None and record["latency_s"] >= record["ttft_s"]
    assert {"model", "input_tokens", "output_tokens", "cost_usd"} <= set(record)


async def test_the_key_never_reaches_telemetry(coach_for):
    with stub_running("healthy") as stub:
        session = coach_for(stub.base_url)
        await reply(session)
    assert TEST_KEY not in session.telemetry.file.read_text()


async def test_a_cut_stream_restarts_and_the_reply_is_shown_once(coach_for):
    with stub_running("stream-cut") as stub:
        session = coach_for(stub.base_url)
        pieces = await reply(session)
    assert pieces.count(RESTART) == 1
    after = "".join(pieces[pieces.index(RESTART) + 1:])
    assert after.strip() and session.last_stop_reason == "end_turn"
    broken, finished = session.telemetry.records()
    assert broken["error_class"] == "APIStatusError" and finished["restarts"] == 1


async def test_max_tokens_stop_says_the_reply_was_cut(coach_for):
    with stub_running("healthy") as stub:
        session = coach_for(stub.base_url, max_tokens_answer=5)
        text = "".join(await reply(session))
    assert "cut at 5 tokens" in text
