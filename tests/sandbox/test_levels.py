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
print(json.dumps({"key": os.environ.get("ANTHROPIC_API_KEY"), "uid": os.getuid(),
                  "interfaces": [name for _, name in socket.if_nameindex()], "root_home": home}))
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
    assert ("namespaces" in seen["isolation"]) == (cold_level != "process")


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
