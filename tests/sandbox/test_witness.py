"""The supervisor's verdict on a report: accepted only as the harness ends it, refused with the reason otherwise.

Wait statuses are built as the kernel reports them (`waitpid`): a SIGKILL is status 9, an exit
with code N is N << 8. The hostile battery drives the same verdicts through real sandboxed programs.
"""

import signal

import pytest

from coach.sandbox.witness import MAX_REPORT, Witness, frame

KILLED = signal.SIGKILL
EXITED_0 = 0 << 8
RETURNED = {"outcome": "returned", "return_value": {"ok": True}, "return_error": None, "limit": None, "exit_code": 0}


def verdict(data: bytes, status: int) -> tuple[dict | None, int]:
    witness = Witness()
    witness.feed(data)
    return witness.verdict(status)


def test_one_report_then_sigkill_is_the_outcome_with_its_exit_status():
    assert verdict(frame(RETURNED), KILLED) == (RETURNED, 0)


def test_no_report_is_no_outcome_and_the_process_own_status():
    assert verdict(b"", 3 << 8) == (None, 3)
    assert verdict(b"", signal.SIGSEGV) == (None, 128 + signal.SIGSEGV)


def test_a_report_then_an_exit_is_refused_naming_the_exit():
    told, status = verdict(frame(RETURNED), EXITED_0)
    assert status == 0
    assert "ended by exit status 0" in told["refused"]


def test_a_report_then_another_signal_is_refused_naming_it():
    told, _ = verdict(frame(RETURNED), signal.SIGTERM)
    assert "ended by signal SIGTERM" in told["refused"]


def test_two_reports_are_refused():
    told, _ = verdict(frame(RETURNED) + frame(RETURNED), KILLED)
    assert "more than one report" in told["refused"]


@pytest.mark.parametrize("data", [frame(RETURNED)[:-1], frame(RETURNED)[:3], b"{\"outcome\": \"returned\"}"])
def test_cut_off_or_unframed_bytes_are_refused(data):
    told, _ = verdict(data, KILLED)
    assert told.get("refused")


def test_an_outcome_paired_with_an_exit_status_the_harness_never_gives_is_refused():
    told, _ = verdict(frame({**RETURNED, "exit_code": 1}), KILLED)
    assert "never pairs" in told["refused"]


def test_an_unknown_outcome_is_refused():
    told, _ = verdict(frame({**RETURNED, "outcome": "passed"}), KILLED)
    assert "no outcome" in told["refused"]


def test_a_return_value_too_large_to_report_becomes_a_raised_outcome():
    facts = {**RETURNED, "return_value": "x" * (MAX_REPORT + 1)}
    told, status = verdict(frame(facts), KILLED)
    assert (told["outcome"], status) == ("raised", 1)
    assert "over 4 MiB" in told["return_error"]
