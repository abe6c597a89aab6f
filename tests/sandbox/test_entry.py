"""Calling a learner function: its return value, its exception, and its structured logs."""


def test_sync_entry_returns_a_json_value(level, run):
    result = run("def solve():\n    return {'answer': [1, 2.5, None]}", entry="solve")
    assert result.return_value == {"answer": [1, 2.5, None]}
    assert result.return_error is None


def test_async_entry_is_awaited(level, run):
    result = run("import asyncio\nasync def solve():\n    await asyncio.sleep(1)\n    return 'done'", entry="solve")
    assert result.return_value == "done"


def test_entry_exception_is_reported_with_type_and_message(level, run):
    result = run("def solve():\n    raise KeyError('usage')", entry="solve")
    assert result.return_error == "KeyError: 'usage'"
    assert "Traceback" in result.stderr
    assert result.return_value is None


def test_missing_entry_is_an_error_not_a_crash(level, run):
    result = run("x = 1", entry="solve")
    assert result.return_error is not None and "solve" in result.return_error


def test_unserialisable_return_value_is_an_error(level, run):
    result = run("def solve():\n    return object()", entry="solve")
    assert result.return_error is not None and result.return_error.startswith("TypeError")


def test_main_block_does_not_run_for_an_entry(level, run):
    result = run("def solve():\n    return 1\nif __name__ == '__main__':\n    print('main ran')", entry="solve")
    assert result.stdout == ""


def test_log_records_keep_level_logger_message_and_extra(level, run):
    result = run("""
        import logging
        logging.basicConfig(level=logging.INFO)
        def solve():
            logging.getLogger("shop.api").info("call %s", "done", extra={"request_id": "req_1", "attempt": 2})
    """, entry="solve")
    [record] = result.log_records
    assert (record["level"], record["logger"], record["message"]) == ("INFO", "shop.api", "call done")
    assert record["extra"] == {"request_id": "req_1", "attempt": 2}


def test_log_records_below_the_configured_level_are_collected_but_not_printed(level, run):
    result = run("import logging\nlogging.basicConfig(level=logging.WARNING)\nlogging.getLogger('a').info('quiet')")
    assert [r["message"] for r in result.log_records] == ["quiet"]
    assert "quiet" not in result.stderr


def test_sdk_internal_logs_are_not_collected(level, run):
    result = run("""
        import logging, anthropic
        logging.basicConfig(level=logging.DEBUG)
        anthropic.Anthropic().messages.create(model="claude-haiku-4-5", max_tokens=5,
                                              messages=[{"role": "user", "content": "hi"}])
    """)
    assert result.exit_code == 0, result.stderr
    assert result.log_records == []


def test_a_learner_module_named_like_the_stdlib_does_not_shadow_it(level, run, tmp_path):
    (tmp_path / "learner").mkdir(exist_ok=True)
    (tmp_path / "learner" / "json.py").write_text("raise SystemExit('shadowed')\n")
    result = run("import json\nprint(json.dumps([1]))")
    assert result.stdout == "[1]\n"


def test_the_exit_status_comes_from_the_supervisor_word_for_word(level, run):
    """The run ends on the supervisor's last message, before the harness's own exit: its status must be the same."""
    assert run("raise SystemExit(3)\n").exit_code == 3
    assert run("import signal\nsignal.raise_signal(signal.SIGTERM)\n").exit_code == 128 + 15


def test_a_warm_pool_keeps_no_exit_status_that_nobody_will_ask_for(level, run, pools):
    import time

    for _ in range(3):
        run("print('hi')\n")
    pool = pools[level]
    give_up = time.monotonic() + 5
    while pool._forgotten and time.monotonic() < give_up:  # the server reports each harness's end a little later
        time.sleep(0.01)
    assert not pool._exits and not pool._forgotten
