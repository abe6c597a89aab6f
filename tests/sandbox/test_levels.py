"""Each isolation level this machine has, started cold: the same promises whichever one a learner gets."""

import json
import os
import sys
from pathlib import Path

import pytest

from coach.sandbox import SANDBOX_API_KEY

from .conftest import WARM_LEVELS

PROBE = """
import json, os, socket
try:
    home = os.listdir(os.path.expanduser("~root"))
except OSError:
    home = None
try:
    interfaces = [name for _, name in socket.if_nameindex()]
except OSError:  # the process level's seccomp refuses netlink sockets
    interfaces = None
print(json.dumps({"key": os.environ.get("ANTHROPIC_API_KEY"), "uid": os.getuid(),
                  "interfaces": interfaces, "root_home": home}))
"""


def _probe(run) -> dict:
    result = run(PROBE)
    assert result.exit_code == 0, result.stderr
    return {**json.loads(result.stdout.splitlines()[-1]), "isolation": result.isolation}


def test_cold_start_sees_only_the_sandbox_key_and_reports_its_level(cold_level, run, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-real-looking-key")
    seen = _probe(run)
    assert seen["key"] == SANDBOX_API_KEY
    assert ("bubblewrap" in seen["isolation"]) == (cold_level == "bwrap")
    assert seen["isolation"].startswith("namespaces") == (cold_level != "process")


def test_namespace_levels_have_only_loopback_no_root_uid_and_no_root_home(cold_level, run):
    seen = _probe(run)
    if cold_level == "process":
        return  # the process level has the host's interfaces; its audit hook refuses sockets instead
    assert seen["interfaces"] == ["lo"]
    assert seen["uid"] != 0
    # Only what the interpreter itself needs may show through (here Python sits in root's home).
    needed = {Path(p).relative_to("/root").parts[0] for p in (sys.base_prefix, sys.prefix, Path.cwd())
              if Path(p).is_relative_to("/root") and Path(p) != Path("/root")}
    assert set(seen["root_home"] or []) <= needed


@pytest.mark.skipif("namespaces" not in WARM_LEVELS, reason="no user namespaces on this machine")
@pytest.mark.parametrize("level", ["namespaces"], indirect=True)
def test_a_warm_namespace_run_is_mapped_to_an_unprivileged_user_by_the_pools_server(level, run):
    result = run("print(open('/proc/self/uid_map').read().split(), open('/proc/self/setgroups').read().strip())")
    assert result.exit_code == 0, result.stderr
    host = 65534 if os.geteuid() == 0 else os.geteuid()  # root's sandbox user is nobody on the host's files
    assert result.stdout.strip() == f"['1000', '{host}', '1'] deny"


TERMINAL_PROBE = """
import glob, json, os
opened = []
for path in ["/dev/tty", "/dev/console", {slave!r}, *glob.glob("/dev/pts/*")]:
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    except OSError:
        continue
    opened.append(path)
    try:
        os.write(fd, b"\\x1b]0;owned\\x07\\x1b[2J typed by the sandbox")
    except OSError:
        pass
print(json.dumps({{"opened": opened, "ttys": [fd for fd in range(256) if os.isatty(fd)]}}))
"""


def test_the_learners_terminal_cannot_be_opened_or_written(cold_level, run):
    """A terminal the test holds (its slave open to everyone, so only the sandbox stands in the way)."""
    master, slave = os.openpty()
    try:
        path = os.ttyname(slave)
        os.chmod(path, 0o666)
        result = run(TERMINAL_PROBE.format(slave=path))
        assert result.exit_code == 0, result.stderr
        os.set_blocking(master, False)
        try:
            arrived = os.read(master, 4096)
        except BlockingIOError:
            arrived = b""
        assert arrived == b""
        seen = json.loads(result.stdout.splitlines()[-1])
        assert seen["ttys"] == []
        assert [p for p in seen["opened"] if not p.endswith("ptmx")] == []
    finally:
        os.close(master)
        os.close(slave)


def test_namespace_levels_have_a_minimal_dev(cold_level, run):
    result = run("import os; print(sorted(os.listdir('/dev')))")
    if cold_level == "process":
        return  # the host's /dev; Landlock refuses every node but the harmless ones
    names = set(eval(result.stdout))
    harmless = {"null", "zero", "full", "random", "urandom", "shm", "fd", "stdin", "stdout", "stderr"}
    bubblewrap_adds = {"tty", "pts", "ptmx", "core"}  # its tty has no terminal behind it (--new-session)
    assert harmless - {"fd", "stdin", "stdout", "stderr"} <= names
    assert names <= harmless | (bubblewrap_adds if cold_level == "bwrap" else set())


def test_seccomp_is_loaded_at_every_cold_level(cold_level, run):
    """A cold harness loads libseccomp before Landlock would stop `ldconfig`, which finding it runs."""
    result = run("""
import socket
try:
    socket.socket(socket.AF_UNIX)
    print("made")
except OSError as error:
    print(error.errno)
""")
    assert result.stdout.strip() == "97"  # EAFNOSUPPORT, from the filter
