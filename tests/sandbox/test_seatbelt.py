"""The macOS Seatbelt profile, checked as text: this machine cannot run sandbox-exec (docs/sandbox.md)."""

import re

from coach.sandbox import seatbelt

PROFILE = seatbelt.profile(python_dirs=["/opt/python/3.11"], workdir="/work dir/run \"1\"", tmpdir="/opt/run/tmp",
                           stub_port=43210, executable="/opt/python/3.11/bin/python3")


def _block(rule: str) -> list[str]:
    """The lines of a multi-line `(allow RULE ...)` block."""
    lines = PROFILE.splitlines()
    start = lines.index(f"(allow {rule}")
    return lines[start + 1 : lines.index(")", start)]


def test_it_denies_by_default_and_starts_with_the_version():
    assert PROFILE.splitlines()[:2] == ["(version 1)", '(deny default (with message "coach-sandbox"))']


def test_reads_are_the_python_install_the_system_libraries_and_the_work_dir():
    reads = _block("file-read*")
    assert '  (subpath "/opt/python/3.11")' in reads
    assert '  (subpath "/work dir/run \\"1\\"")' in reads  # quoted as a JSON string, as sandbox-runtime does
    assert '  (subpath "/usr/lib")' in reads
    assert not any(line.strip() in ('(subpath "/")', '(subpath "/Users")') for line in reads)


def test_writes_are_the_work_dir_the_private_tmp_and_dev_null_only():
    assert _block("file-write*") == ['  (subpath "/opt/run/tmp")', '  (subpath "/work dir/run \\"1\\"")',
                                     '  (literal "/dev/null")']


def test_the_network_is_the_stub_port_on_the_loopback_only():
    network = [line for line in PROFILE.splitlines() if "network" in line and not line.startswith(";")]
    assert network == ['(allow network-outbound (remote ip "localhost:43210"))']


def test_only_the_interpreter_may_be_executed_and_signals_stay_inside():
    assert '(allow process-exec (literal "/opt/python/3.11/bin/python3"))' in PROFILE
    assert "(allow process-exec)" not in PROFILE
    assert "(allow signal (target same-sandbox))" in PROFILE


def test_parentheses_balance_outside_strings_and_comments():
    code = re.sub(r'"(\\.|[^"\\])*"', '""', "\n".join(line.split(";", 1)[0] for line in PROFILE.splitlines()))
    depth = 0
    for char in code:
        depth += {"(": 1, ")": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
