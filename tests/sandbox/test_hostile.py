"""The hostile battery: programs that try to escape, exhaust or fool the sandbox, and what contained each.

Every program runs at each warm isolation level with a canary secret in the parent's
environment and in a fake home. Where a program reports what it managed to do, the report
is only a convenience: the assertions look at the host (files, processes, sockets, the
parent itself) or at what the runner measured, never at a verdict from inside.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import textwrap
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import coach
from coach.curriculum import load_curriculum
from coach.grader.grade import grade_exercise
from coach.sandbox import SandboxRequest, SandboxResult, WarmPool, run_sandboxed
from coach.sandbox.learner import RESULT_NAME
from coach.scenario_time import VirtualClock
from coach.stub.runner import StubThread
from coach.stub.scenario import load_scenario

from .conftest import SMALL, WARM_LEVELS

CANARY = f"canary-{uuid.uuid4().hex}"
REAL_LOOKING_KEY = f"sk-ant-api03-{CANARY}"
MARKER = f"coach-hostile-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The parent as an attacker would want it: a real-looking key exported and a secret in the home.

    The home lives outside /tmp so that only the sandbox's hiding of homes, not its private
    /tmp, keeps it out of reach. Pools start after this, so they inherit it all.
    """
    home = Path("/var/tmp") / f"coach-hostile-home-{uuid.uuid4().hex[:8]}"
    (home / ".config" / "anthropic").mkdir(parents=True)
    secret = home / ".config" / "anthropic" / "key"
    secret.write_text(REAL_LOOKING_KEY)
    outside = tmp_path_factory.mktemp("outside")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ANTHROPIC_API_KEY", REAL_LOOKING_KEY)
        patch.setenv("COACH_TEST_CANARY", CANARY)
        patch.setenv("HOME", str(home))
        yield {"home": str(home), "secret": str(secret), "outside": str(outside), "pid": str(os.getpid())}
    for path in sorted(home.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    home.rmdir()


@pytest.fixture(scope="module")
def hostile_pools(host: dict[str, str]) -> Iterator[dict[str, WarmPool]]:
    started = {name: WarmPool(name) for name in WARM_LEVELS}
    yield started
    for pool in started.values():
        pool.close()


@pytest.fixture(params=WARM_LEVELS)
def hostile_level(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def attack(hostile_level: str, hostile_pools: dict[str, WarmPool], host: dict[str, str], stub: StubThread,
           tmp_path: Path):
    """`attack(source, **request_fields)`: run a hostile program; assert the canary never came back."""

    def _attack(source: str, files: dict[str, str] | None = None, **fields: object) -> SandboxResult:
        folder = tmp_path / "learner"
        folder.mkdir(exist_ok=True)
        for name, text in (files or {}).items():
            (folder / name).write_text(textwrap.dedent(text))
        program = folder / "program.py"
        program.write_text(textwrap.dedent(source).format(**host, marker=MARKER, admin=stub.admin_url,
                                                          result_name=RESULT_NAME))
        fields.setdefault("timeout_s", 5.0)
        fields.setdefault("limits", SMALL)
        request = SandboxRequest(file=program, clock=stub.server.clock, stub=stub, **fields)  # type: ignore[arg-type]
        result = run_sandboxed(request, hostile_pools[hostile_level])
        seen = result.stdout + result.stderr + json.dumps(result.return_value)
        assert CANARY not in seen, "the canary secret leaked into the run's output"
        return result

    return _attack


def report(result: SandboxResult) -> dict:
    """The JSON the program printed last: what it claims it managed (a hint for the assertion message)."""
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, f"the program printed no report: {result.stdout[-300:]!r} {result.stderr[-300:]!r}"
    return json.loads(lines[-1])


# --- exhausting the machine ------------------------------------------------------------------


def test_fork_bomb_hits_the_process_limit(attack):
    result = attack("import os\nwhile True:\n    os.fork()\n")
    assert result.limit_hit == "processes"


def test_memory_bomb_hits_the_memory_limit(attack):
    # A wall limit far past the 0.6 s this takes, so a loaded machine cannot end it first.
    result = attack("blocks = []\nwhile True:\n    blocks.append(bytearray(32 << 20))\n", timeout_s=30.0)
    assert result.limit_hit == "memory"


def test_cpu_spin_hits_the_cpu_limit(attack):
    result = attack("while True:\n    pass\n", limits=replace(SMALL, cpu_s=1))
    assert result.limit_hit == "cpu"


def test_spinning_threads_share_one_cpu_budget(attack):
    result = attack("""
        import threading
        def spin():
            while True:
                pass
        for _ in range(4):
            threading.Thread(target=spin, daemon=True).start()
        threading.Event().wait()
    """, limits=replace(SMALL, cpu_s=1))
    assert result.limit_hit == "cpu"


def test_sleeping_past_the_scenario_limit_is_stopped_at_once(attack):
    result = attack("import time\ntime.sleep(10**9)\n", timeout_s=30)
    assert result.limit_hit == "scenario_time" and not result.timed_out
    assert result.wall_s < 30


def test_gigabytes_to_stdout_are_capped(attack):
    result = attack("import sys\nwhile True:\n    sys.stdout.write('x' * (1 << 20))\n")
    assert result.limit_hit == "output"
    assert len(result.stdout) <= SMALL.output_bytes + 1024


def test_one_huge_file_hits_the_file_size_limit(attack):
    result = attack("with open('big.bin', 'wb') as f:\n    while True:\n        f.write(b'x' * (1 << 20))\n")
    assert result.limit_hit == "file_size"


def test_many_medium_files_hit_the_disk_quota(attack):
    result = attack("""
        for i in range(10_000):
            with open(f"part{{i}}.bin", "wb") as f:
                f.write(b"x" * (1 << 20))
    """, limits=replace(SMALL, disk_mb=16), timeout_s=10)
    assert result.limit_hit == "disk"


def test_many_tiny_files_hit_the_file_count_quota(attack):
    result = attack("""
        import os
        for i in range(1_000_000):
            os.mkdir(f"d{{i}}")
    """, limits=replace(SMALL, work_files=500), timeout_s=10)
    assert result.limit_hit == "disk"


def test_infinite_retry_loop_is_stopped_and_the_stub_still_answers(attack, stub):
    result = attack("""
        import anthropic
        client = anthropic.Anthropic(max_retries=0)
        while True:
            try:
                client.messages.create(model="claude-haiku-4-5", max_tokens=5,
                                       messages=[{{"role": "user", "content": "again"}}])
            except Exception:
                pass
    """, timeout_s=1.0)
    assert result.timed_out
    hammered = len(stub.journal.entries())
    assert hammered > 1
    import urllib.request

    request = urllib.request.Request(f"{stub.base_url}/v1/messages", method="POST", data=json.dumps({
        "model": "claude-haiku-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}).encode(),
        headers={"x-api-key": "sk-ant-sandbox-0000", "content-type": "application/json",
                 "anthropic-version": "2023-06-01"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


# --- reaching what it must not see ------------------------------------------------------------


def test_writes_outside_the_work_dir_do_not_land(attack, host):
    targets = [f"{host['outside']}/escape.txt", f"{host['home']}/escape.txt", f"/var/tmp/{MARKER}.txt",
               f"/usr/{MARKER}.txt"]
    result = attack("""
        import json
        landed = []
        for path in TARGETS:
            try:
                with open(path, "w") as f:
                    f.write("escaped")
                landed.append(path)
            except OSError:
                pass
        print(json.dumps({{"landed": landed}}))
    """.replace("TARGETS", repr(targets)))
    assert report(result)["landed"] == []
    assert not any(Path(target).exists() for target in targets)


def test_parent_environment_is_unreadable_through_proc(attack):
    result = attack("""
        import json, os
        found = []
        try:
            listed = [int(p) for p in os.listdir("/proc") if p.isdigit()]
        except OSError:  # the process level's Landlock lets a program read only its own /proc/self
            listed = []
        for pid in [os.getppid(), {pid}, 1] + listed:
            try:
                with open(f"/proc/{{pid}}/environ", "rb") as f:
                    found.append(f.read().decode(errors="replace"))
            except OSError:
                pass
        print("\\n".join(found))
    """)
    assert result.exit_code == 0, result.stderr


def test_secret_in_the_real_home_is_invisible(attack, host):
    result = attack("""
        import json, os
        try:
            with open({secret!r}) as f:
                print(f.read())
        except OSError as error:
            print(json.dumps({{"error": type(error).__name__}}))
        try:
            listing = sorted(os.listdir({home!r}))
        except OSError:
            listing = None
        print(json.dumps({{"home": os.path.expanduser("~"), "listing": listing}}))
    """)
    assert report(result)["listing"] in (None, [])


def test_only_loopback_and_no_route_out(attack, hostile_level):
    result = attack("""
        import json, socket
        try:
            names = [name for _, name in socket.if_nameindex()]
        except OSError:  # the process level's seccomp refuses netlink sockets
            names = None
        try:
            probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            probe.connect(("192.0.2.1", 9))  # picks a route; sends nothing
            routed = True
        except OSError:
            routed = False
        print(json.dumps({{"interfaces": names, "routed": routed}}))
    """)
    seen = report(result)
    assert seen["routed"] is False
    if hostile_level != "process":
        assert seen["interfaces"] == ["lo"]


def _host_listener(family: int, address: str | bytes) -> socket.socket:
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(1)
    listener.setblocking(False)
    return listener


def _accepted_anything(listener: socket.socket) -> bool:
    try:
        connection, _ = listener.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


@pytest.mark.parametrize("folder", ["/tmp", "/run", "home"])
def test_host_unix_socket_is_unreachable(attack, host, folder):
    """Sockets live where the sandbox mounts fresh, empty folders: /tmp, /run and the homes."""
    if folder == "/run" and not os.access("/run", os.W_OK):
        pytest.skip("only root may make a socket in /run (test_unprivileged.py runs this battery as a user)")
    base = Path(host["home"] if folder == "home" else folder) / f"{MARKER}-{uuid.uuid4().hex[:6]}"
    base.mkdir(mode=0o777)
    path = str(base / "host.sock")
    listener = _host_listener(socket.AF_UNIX, path)
    os.chmod(base, 0o777)
    os.chmod(path, 0o777)
    try:
        attack("""
            import socket
            try:
                socket.socket(socket.AF_UNIX).connect(PATH)
            except OSError:
                pass
        """.replace("PATH", repr(path)))
        assert not _accepted_anything(listener)
    finally:
        listener.close()
        os.unlink(path)
        base.rmdir()


def test_abstract_unix_socket_is_unreachable(attack):
    name = f"\0{MARKER}"
    listener = _host_listener(socket.AF_UNIX, name)
    try:
        attack("""
            import socket
            try:
                socket.socket(socket.AF_UNIX).connect(NAME)
            except OSError:
                pass
        """.replace("NAME", repr(name)))
        assert not _accepted_anything(listener)
    finally:
        listener.close()


def test_stub_admin_interface_is_unreachable(attack, stub):
    result = attack("""
        import json, urllib.request
        try:
            urllib.request.urlopen({admin!r} + "/journal", timeout=2).read()
            reached = True
        except Exception:
            reached = False
        print(json.dumps({{"reached": reached}}))
    """)
    assert report(result)["reached"] is False


# --- the bypasses of the audit hook (issue 14): each must meet the kernel's refusal ----------------


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A host folder outside /tmp that anyone may write: only the sandbox stands between it and the program."""
    folder = Path("/var/tmp") / f"{MARKER}-open-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    os.chmod(folder, 0o777)
    yield folder
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


def test_os_open_with_dir_fd_writes_nothing_outside_the_work_dir(attack, open_folder):
    attack("""
        import os
        try:
            folder = os.open(FOLDER, os.O_RDONLY | os.O_DIRECTORY)
            fd = os.open("planted_check.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=folder)
            os.write(fd, b"print('running outside the sandbox')")
        except OSError:
            pass
    """.replace("FOLDER", repr(str(open_folder))))
    assert list(open_folder.iterdir()) == []


def test_posixsubprocess_fork_exec_starts_no_program(attack, open_folder):
    proof = open_folder / "started"
    attack("""
        import _posixsubprocess, os
        errpipe_read, errpipe_write = os.pipe()
        try:
            _posixsubprocess.fork_exec(
                [b"/bin/sh", b"-c", b"echo started > PROOF"], [b"/bin/sh"], True, (errpipe_write,), None, None,
                -1, -1, -1, -1, -1, -1, errpipe_read, errpipe_write, False, False, -1, None, None, None, -1, None,
                False)
        except Exception:
            pass
        os.close(errpipe_write)
        os.read(errpipe_read, 100)
    """.replace("PROOF", str(proof)))
    assert not proof.exists()


@pytest.fixture
def victim() -> Iterator[int]:
    """A process of the host, owned by whoever runs the tests, for the program to try to kill."""
    import subprocess

    process = subprocess.Popen(["sleep", "60"], env={"ANTHROPIC_API_KEY": REAL_LOOKING_KEY})
    yield process.pid
    process.kill()
    process.wait()


def test_pidfd_send_signal_cannot_kill_a_host_process(attack, victim):
    attack("""
        import os, signal
        try:
            signal.pidfd_send_signal(os.pidfd_open(VICTIM), signal.SIGKILL)
        except OSError:
            pass
        try:
            os.kill(VICTIM, signal.SIGKILL)
        except OSError:
            pass
    """.replace("VICTIM", str(victim)))
    os.kill(victim, 0)  # still there
    assert os.waitpid(victim, os.WNOHANG) == (0, 0)


def test_a_host_process_started_with_the_real_key_keeps_its_environment(attack, victim):
    """The app itself was started with the learner's key exported: /proc/<its pid>/environ holds it."""
    result = attack("""
        try:
            print(open("/proc/VICTIM/environ", "rb").read().decode(errors="replace"))
        except OSError as error:
            print(type(error).__name__)
    """.replace("VICTIM", str(victim)))
    assert result.exit_code == 0, result.stderr  # and the attack fixture found no canary in what it printed


def test_sendmsg_and_sendto_reach_no_other_loopback_port(attack):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.setblocking(False)
    tcp = _host_listener(socket.AF_INET, ("127.0.0.1", 0))
    try:
        attack("""
            import socket
            for target in [("127.0.0.1", UDP), ("127.0.0.1", TCP)]:
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    try:
                        s = socket.socket(socket.AF_INET, kind)
                    except OSError:
                        continue
                    for send in (lambda: s.sendto(b"escaped", target),
                                 lambda: s.sendmsg([b"escaped"], [], 0, target),
                                 lambda: s.sendto(b"escaped", 0x20000000, target),  # TCP Fast Open
                                 lambda: s.connect(target)):
                        try:
                            send()
                        except OSError:
                            pass
        """.replace("UDP", str(udp.getsockname()[1])).replace("TCP", str(tcp.getsockname()[1])))
        with pytest.raises(BlockingIOError):
            udp.recvfrom(100)
        assert not _accepted_anything(tcp)
    finally:
        udp.close()
        tcp.close()


def test_a_file_only_its_owner_may_read_stays_unread(attack):
    """As root the learner keeps CAP_DAC_READ_SEARCH at most (to reach a Python in root's home): it reads no more."""
    private = Path("/var/tmp") / f"{MARKER}-private-{uuid.uuid4().hex[:6]}"
    private.mkdir(mode=0o700)
    (private / "key").write_text(REAL_LOOKING_KEY)
    os.chmod(private / "key", 0o600)
    try:
        result = attack("""
            import os
            try:
                print(open(PATH).read())
            except OSError:
                pass
            try:
                print(os.listdir(DIR))
            except OSError:
                pass
        """.replace("PATH", repr(str(private / "key"))).replace("DIR", repr(str(private))))
        assert "key" not in result.stdout
    finally:
        (private / "key").unlink()
        private.rmdir()


def test_nothing_of_coach_is_importable_or_readable(attack):
    from coach.stub import scenario

    package = Path(coach.__file__).resolve().parent
    result = attack("""
        import json, os, sys
        seen = {{"modules": [n for n in sys.modules if n == "coach" or n.startswith("coach.")]}}
        try:
            import coach.grader.grade
            seen["import"] = "imported"
        except Exception as error:
            seen["import"] = type(error).__name__
        for path in PATHS:
            try:
                with open(path, "rb") as f:
                    seen[path] = len(f.read())
            except OSError as error:
                seen[path] = type(error).__name__
        print(json.dumps(seen))
    """.replace("PATHS", repr([str(package / "grader" / "grade.py"), str(Path(scenario.__file__)),
                               *(str(p) for p in sorted(package.rglob("*.toml"))[:3])])))
    seen = report(result)
    assert seen.pop("modules") == []
    assert seen.pop("import") != "imported"
    assert all(isinstance(value, str) for value in seen.values()), seen


# --- attacking the parent and outliving the run -----------------------------------------------


def test_signalling_the_parent_does_nothing(attack, host):
    caught: list[int] = []
    previous = signal.signal(signal.SIGUSR1, lambda number, _frame: caught.append(number))
    try:
        attack("""
            import os, signal
            for pid in (os.getppid(), {pid}):
                for sig in (signal.SIGUSR1, signal.SIGTERM, signal.SIGKILL):
                    try:
                        os.kill(pid, sig)
                    except OSError:
                        pass
        """)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert caught == []


def test_ptrace_on_the_parent_is_refused(attack):
    result = attack("""
        import ctypes, json, os
        libc = ctypes.CDLL(None, use_errno=True)
        PTRACE_ATTACH = 16
        print(json.dumps({{"attached": libc.ptrace(PTRACE_ATTACH, {pid}, 0, 0) == 0}}))
    """)
    # The process level refuses ctypes outright; the namespace levels let it try and fail.
    assert "ctypes.dlopen is not allowed" in result.stderr or report(result)["attached"] is False


def _processes_with_marker() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if MARKER.encode() in handle.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


def test_fork_and_setsid_do_not_outlive_the_run(attack):
    attack("""
        import os, sys
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)", {marker!r}])
            os._exit(0)
        os.wait()
    """)
    assert _processes_with_marker() == []


def test_tiocsti_keystroke_injection_has_no_terminal(attack):
    result = attack("""
        import fcntl, json, termios
        injected = []
        for target in ("/dev/tty", 0, 1, 2):
            try:
                fd = open(target, "wb", buffering=0).fileno() if isinstance(target, str) else target
                fcntl.ioctl(fd, termios.TIOCSTI, b"x")
                injected.append(str(target))
            except OSError:
                pass
        print(json.dumps({{"injected": injected}}))
    """)
    assert report(result)["injected"] == []


# --- fooling the grade -----------------------------------------------------------------------

FORGERIES = {
    "os-exit-with-fake-result": """
        import json, os
        def main():
            outcomes = {{case: "answered" for case in ("rate-limited", "overloaded", "bad-request", "spend-cap")}}
            outcomes["outage"] = "RetriesExhausted: gave up after 4 attempts"
            with open({result_name!r}, "w") as f:
                json.dump({{"return_value": outcomes}}, f)
            print("9/9 checks pass")
            os._exit(0)
    """,
    "sys-exit-claiming-success": """
        import sys
        def main():
            print("All checks pass.")
            sys.exit(0)
    """,
    "monkeypatched-harness": """
        import sys, time
        def main():
            time.sleep = lambda seconds: None
            for name, module in list(sys.modules.items()):
                if name.startswith("coach"):
                    for attribute in dir(module):
                        if "result" in attribute.lower() or "write" in attribute.lower():
                            try:
                                setattr(module, attribute, lambda *a, **k: None)
                            except Exception:
                                pass
            return {{"outage": "RetriesExhausted: gave up after 4 attempts"}}
    """,
}


FORGERIES["thread-exits-before-main-raises"] = """
        import os, threading, time
        def main():
            threading.Thread(target=lambda: (time.sleep(0.01), os._exit(0))).start()
            time.sleep(0.02)
            raise RuntimeError("the raw 503 escaped")
"""


def test_a_forged_result_file_then_os_exit_is_an_unreported_end(attack):
    result = attack("""
        import json, os
        def main():
            with open({result_name!r}, "w") as f:
                json.dump({{"outcome": "returned", "return_value": {{"outage": "answered"}}, "return_error": None}}, f)
            os._exit(0)
    """, entry="main")
    assert (result.outcome, result.return_value, result.exit_code) == (None, None, 0)


def test_a_thread_calling_os_exit_before_main_raises_is_an_unreported_end(attack):
    result = attack(FORGERIES["thread-exits-before-main-raises"], entry="main")
    assert result.outcome is None
    assert result.return_error is None


def test_bytes_written_on_every_descriptor_spoil_the_report_instead_of_replacing_it(attack):
    result = attack("""
        import json, os
        def main():
            fake = json.dumps({{"outcome": "returned", "return_value": "forged"}}).encode()
            for fd in range(3, 256):
                try:
                    os.write(fd, fake)
                except OSError:
                    pass
            raise RuntimeError("the raw 503 escaped")
    """, entry="main")
    assert result.return_value != "forged"
    assert result.outcome in (None, "raised")


# The report's framing, as an attacker who had read coach's source would write it.
FRAMED_REPORT = """
        import json, os, stat, struct
        def forge_everywhere(value):
            body = json.dumps({{"outcome": "returned", "return_value": value, "return_error": None,
                               "limit": None, "exit_code": 0}}).encode()
            framed = struct.pack(">I", len(body)) + body
            for fd in range(3, 64):  # not /proc/self/fd: a forked child may not list it at the process level
                try:
                    if (stat.S_ISFIFO(os.fstat(fd).st_mode) or stat.S_ISSOCK(os.fstat(fd).st_mode)):
                        os.write(fd, framed)
                except OSError:
                    pass
"""


def test_a_well_formed_report_written_by_the_program_then_os_exit_is_refused_and_says_why(attack):
    result = attack(FRAMED_REPORT + """
        def main():
            forge_everywhere({{"outage": "answered"}})
            os._exit(0)
    """, entry="main")
    assert (result.outcome, result.return_value) == (None, None)
    assert result.outcome_refused is not None
    assert "ended by exit status 0" in result.outcome_refused
    assert "outcome was refused" in result.stderr


def test_a_report_forged_by_a_thread_while_main_raises_is_refused(attack):
    result = attack(FRAMED_REPORT + """
        import threading
        def main():
            forger = threading.Thread(target=forge_everywhere, args=({{"outage": "answered"}},))
            forger.start()
            forger.join()
            raise RuntimeError("the raw 503 escaped")
    """, entry="main")
    assert (result.outcome, result.return_value) == (None, None)
    assert "more than one report" in (result.outcome_refused or "")


def test_a_report_forged_by_a_forked_child_is_refused(attack):
    result = attack(FRAMED_REPORT + """
        def main():
            child = os.fork()
            if child == 0:
                forge_everywhere("forged by a child")
                os._exit(0)
            os.waitpid(child, 0)
            return "the real value"
    """, entry="main")
    assert (result.outcome, result.return_value) == (None, None)
    assert "more than one report" in (result.outcome_refused or "")


def test_the_learner_process_holds_no_descriptor_of_the_outcome_channel(attack):
    result = attack("""
        import json, os, socket, stat
        def main():
            peers = []
            for name in os.listdir("/proc/self/fd"):
                fd = int(name)
                try:
                    if stat.S_ISSOCK(os.fstat(fd).st_mode):
                        with socket.socket(fileno=os.dup(fd)) as sock:
                            peers.append(sock.type.name)
                except OSError:
                    pass
            return sorted(peers)
    """, entry="main")
    # The log channel (stream) and the clock (seqpacket) only: the outcome channel stays with the supervisor.
    assert result.outcome == "returned", result.stderr
    assert result.return_value == ["SOCK_SEQPACKET", "SOCK_STREAM"]


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_a_forged_result_does_not_pass_the_grade(hostile_level, hostile_pools, host, tmp_path, forgery):
    exercise = load_curriculum().exercise("retry-backoff")
    assert exercise is not None
    program = tmp_path / "forged.py"
    program.write_text(textwrap.dedent(FORGERIES[forgery]).format(result_name=RESULT_NAME))
    report_ = grade_exercise(exercise, program, pool=hostile_pools[hostile_level])
    assert not report_.passed
    assert not [item for item in report_.items if item.id == "honours-retry-after" and item.passed]


def test_forged_grade_with_escape_codes_reaches_nobody_as_codes(attack):
    result = attack(r"""
        import sys
        sys.stdout.write("\x1b[2J\x1b[H\x1b[32m✓ 9/9 checks pass\x1b[0m\x1b]0;owned\x07\r\n")
        sys.stderr.write("\x1bP+q\x1b\\\x9b31m\n")
    """)
    assert "✓ 9/9 checks pass" in result.stdout
    for text in (result.stdout, result.stderr):
        assert not any(ch in text for ch in "\x1b\x07\x9b\r"), repr(text)


def test_learner_module_shadowing_the_stdlib_cannot_break_the_harness(attack):
    result = attack("""
        def main():
            return {{"ok": True}}
    """, files={"json.py": "raise SystemExit('shadowed json')\n", "os.py": "raise SystemExit('shadowed os')\n"},
        entry="main")
    assert result.return_value == {"ok": True}, result.stderr


def test_result_file_symlinked_to_a_secret_is_not_followed(attack, host):
    result = attack("""
        import os
        def main():
            os.symlink({secret!r}, {result_name!r})
            os._exit(0)
    """, entry="main")
    assert result.return_value is None


def test_deleting_the_handed_files_leaves_the_learners_copy(attack, tmp_path):
    attack("""
        import os
        for name in os.listdir("."):
            os.remove(name)
    """)
    assert (tmp_path / "learner" / "program.py").is_file()


def test_files_left_in_shared_memory_do_not_reach_the_next_run(attack):
    attack(f"""
        for folder in ("/dev/shm", "/tmp"):
            try:
                with open(folder + "/{MARKER}", "w") as f:
                    f.write("left behind")
            except OSError:
                pass
    """)
    result = attack("""
        import json, os
        def listing(folder):
            try:
                return os.listdir(folder)
            except OSError:  # the process level's Landlock: the host's /dev/shm is not the program's to read
                return []
        print(json.dumps({{"left": [f for d in ("/dev/shm", "/tmp") for f in listing(d) if f == {marker!r}]}}))
    """)
    assert report(result)["left"] == []
    assert not Path(f"/dev/shm/{MARKER}").exists()


def test_parent_is_healthy_after_the_battery(attack, stub):
    threads_before = threading.active_count()
    result = attack("print('still fine')")
    assert result.stdout.strip() == "still fine"
    assert threading.active_count() <= threads_before + 1
    assert _processes_with_marker() == []
    with StubThread(load_scenario("healthy"), VirtualClock()) as fresh:
        assert fresh.base_url.startswith("http://127.0.0.1:")
