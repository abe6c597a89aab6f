"""The process level as learners meet it where namespaces are refused: a normal user, no user namespaces.

The suite runs as root here and in CI, so this test re-runs the hostile battery's bypass probes in
a child pytest as uid 1000 inside a user namespace whose `max_user_namespaces` is 0 (no level but
the process level can start, and the program cannot make namespaces of its own). The child's
grader, its victim process and its files all belong to the same user as the learner code, so
only Landlock and seccomp, not file permissions or uids, stand between them.

Python lives in root's 0700 home on these machines, so the child gets a private mount namespace
where /root is an empty, searchable tmpfs with only the interpreter bound back into it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBES = " or ".join([
    "dir_fd", "fork_exec", "pidfd", "sendmsg", "keeps_its_environment", "only_its_owner", "nothing_of_coach",
    "environment_is_unreadable",
    "signalling", "ptrace", "writes_outside", "secret_in_the_real_home", "unix_socket", "unreported", "spoil",
    "tiocsti", "terminal",
])
UNPRIVILEGED_UID = 1000

WAIT_FOR_MAPS = 'read mapped; exec sh -c "$SETUP" setup "$@"'
"""The test writes the namespace's uid and gid maps from outside, then says so; the shell re-executes
itself, since a program started while its uid was still unmapped lost its capabilities in the namespace."""
SETUP = r"""
set -e
mkdir -p "$SCRATCH/python"
mount --bind /root "$SCRATCH/python"
mount -t tmpfs -o mode=755 tmpfs /root
for dir in "$SCRATCH"/python/* "$SCRATCH"/python/.[!.]*; do
    name="${dir##*/}"
    case "$PYTHON_DIRS" in *"/root/$name"*) mkdir -p "/root/$name"; mount --bind "$dir" "/root/$name";; esac
done
echo 0 > /proc/sys/user/max_user_namespaces
exec setpriv --reuid=$UID_ --regid=$UID_ --clear-groups --inh-caps=-all --bounding-set=-all -- \
    sh -c 'echo "as uid=$(id -u) max_user_namespaces=$(cat /proc/sys/user/max_user_namespaces)"; exec "$@"' as "$@"
"""


def _can_try() -> str | None:
    if os.geteuid() != 0:
        return "needs root to set up the unprivileged user"
    for tool in ("unshare", "setpriv"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    return None if probe.returncode == 0 else "this machine refuses user namespaces to root"


@pytest.mark.skipif(_can_try() is not None, reason=str(_can_try()))
def test_every_bypass_probe_is_refused_for_a_normal_user_without_namespaces(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, UNPRIVILEGED_UID, UNPRIVILEGED_UID)
    os.chmod(tmp_path, 0o755)
    python_dirs = " ".join(str(p) for p in {Path(sys.base_prefix), Path(sys.prefix)})
    command = [
        "unshare", "--user", "--mount", "--propagation", "private", "--", "sh", "-c", WAIT_FOR_MAPS, "wait",
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", PROBES,
        "tests/sandbox/test_hostile.py", "tests/sandbox/test_levels.py",
    ]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "COACH_HOME": str(home / "coach"),
           "SCRATCH": str(scratch), "PYTHON_DIRS": python_dirs, "UID_": str(UNPRIVILEGED_UID), "LANG": "C.UTF-8",
           "TMPDIR": "/tmp", "PYTHONDONTWRITEBYTECODE": "1", "SETUP": SETUP}
    child = subprocess.Popen(command, cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    assert child.stdin is not None
    try:
        # root and the test user keep their own ids inside (newuidmap's job, done by root directly)
        ours = os.readlink("/proc/self/ns/user")
        for _ in range(1000):
            if os.readlink(f"/proc/{child.pid}/ns/user") != ours:
                break
            child.wait(timeout=0.01) if child.poll() is not None else time.sleep(0.01)
        for kind in ("uid_map", "gid_map"):
            with open(f"/proc/{child.pid}/{kind}", "w") as ids:
                ids.write(f"0 0 1\n{UNPRIVILEGED_UID} {UNPRIVILEGED_UID} 1\n")
        output, _ = child.communicate("mapped\n", timeout=600)
    finally:
        child.kill()
    assert child.returncode == 0, output[-4000:]
    assert " passed" in output and " failed" not in output, output[-4000:]
    assert f"as uid={UNPRIVILEGED_UID} max_user_namespaces=0" in output
