"""The log channel: records are stamped when they reach the runner, and a record's own time is
believed only inside the window arrival allows."""

import json

from coach.sandbox.logchannel import LogChannel

EPOCH = 1_000_000.0


def _line(created: float, message: str = "m") -> bytes:
    return (json.dumps({"level": "INFO", "message": message, "created": EPOCH + created}) + "\n").encode()


def _channel(now: list[float]) -> LogChannel:
    return LogChannel(lambda: now[0], EPOCH, limit=10)


def test_a_record_is_stamped_with_the_scenario_time_it_arrived() -> None:
    now = [5.0]
    channel = _channel(now)
    channel.feed(_line(5.0))
    assert channel.records[0]["arrived_s"] == 5.0 and channel.records[0]["at_s"] == 5.0


def test_a_record_is_placed_at_its_arrival_whatever_time_it_claims() -> None:
    """Scenario time waits for the log socket to be read, so arrival is the moment of sending."""
    now = [3.0]
    channel = _channel(now)
    channel.feed(_line(2.5))
    assert channel.records[0]["at_s"] == 3.0


def test_a_record_dated_after_it_arrived_gets_its_arrival_time() -> None:
    now = [3.0]
    channel = _channel(now)
    channel.feed(_line(9.0))
    assert channel.records[0]["at_s"] == 3.0


def test_a_record_backdated_before_the_record_ahead_of_it_gets_its_arrival_time() -> None:
    now = [4.0]
    channel = _channel(now)
    channel.feed(_line(4.0, "first"))
    now[0] = 6.0
    channel.feed(_line(1.0, "backdated"))
    assert [r["at_s"] for r in channel.records] == [4.0, 6.0]


def test_a_record_split_across_reads_is_one_record() -> None:
    now = [1.0]
    channel = _channel(now)
    line = _line(1.0)
    channel.feed(line[:7])
    channel.feed(line[7:])
    assert len(channel.records) == 1


def test_garbage_on_the_channel_is_no_record() -> None:
    channel = _channel([1.0])
    channel.feed(b"not json\n[1, 2]\n")
    assert channel.records == []


def test_records_past_the_limit_are_dropped() -> None:
    channel = _channel([1.0])
    channel.feed(b"".join(_line(1.0) for _ in range(20)))
    assert len(channel.records) == 10
