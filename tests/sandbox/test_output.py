"""Learner output is captured, capped and cleaned; it is data, never terminal control."""


def test_stdout_and_stderr_are_captured_separately(level, run):
    result = run("import sys; print('out'); print('err', file=sys.stderr)")
    assert (result.stdout, result.stderr) == ("out\n", "err\n")


def test_exit_status_is_reported(level, run):
    assert run("raise SystemExit(3)").exit_code == 3


def test_escape_sequences_and_control_characters_are_stripped(level, run):
    result = run(r"print('\x1b[2J\x1b[32mPASSED\x1b[0m 10/10\rFAIL\x07\ttab')")
    assert result.stdout == "PASSED 10/10FAIL\ttab\n"


def test_output_beyond_the_cap_stops_the_run(level, run):
    result = run("import sys\nwhile True: sys.stdout.write('x' * 65536)")
    assert result.limit_hit == "output"
    assert len(result.stdout) <= 64 << 10


def test_uncaught_exception_gives_a_traceback_and_exit_1(level, run):
    result = run("def f():\n    raise ValueError('bad input')\nf()")
    assert result.exit_code == 1
    assert "ValueError: bad input" in result.stderr
