"""macOS: the process level's kernel boundary as a Seatbelt profile for `sandbox-exec`.

macOS has neither namespaces nor Landlock nor seccomp; its sandbox (Seatbelt) is what Chrome,
Anthropic's sandbox-runtime and others apply there with `sandbox-exec -p PROFILE`. The profile
denies by default, then allows: reading the Python installation, the system libraries and the
work dir; writing the work dir and the private tmp; forking (not running other programs); signals
and process information only within the sandbox; and TCP to 127.0.0.1 on the stub's port only.

Written from Apple's sandbox profile language as sandbox-runtime uses it
(src/sandbox/macos-sandbox-utils.ts: `(deny default)`, `(target same-sandbox)`, paths quoted as
JSON strings, `(remote ip "localhost:PORT")`). Untested on a Mac: this repository's machines run
Linux, so tests check the generated text only (docs/sandbox.md says so).
"""

from __future__ import annotations

import json
import os
import shutil
import sys

SYSTEM_READS = ("/usr/lib", "/usr/share", "/System/Library", "/Library/Frameworks", "/private/etc/ssl",
                "/private/var/db/timezone", "/usr/share/zoneinfo")
"""What the interpreter and its extension modules load from the system (dyld's libraries, certificates, zones)."""
DEVICES = ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom")


def available() -> bool:
    return sys.platform == "darwin" and shutil.which("sandbox-exec") is not None


def quoted(path: str) -> str:
    """A path as a profile string: JSON quoting, as sandbox-runtime's escapePath does."""
    return json.dumps(path)


def _real(paths: list[str]) -> list[str]:
    """Seatbelt matches resolved paths: /tmp is /private/tmp on macOS."""
    return sorted({os.path.realpath(p) for p in paths})


def profile(*, python_dirs: list[str], workdir: str, tmpdir: str, stub_port: int, executable: str) -> str:
    """The profile text for one run."""
    writable = _real([workdir, tmpdir])
    readable = _real([*python_dirs, *SYSTEM_READS]) + writable
    lines = [
        "(version 1)",
        '(deny default (with message "coach-sandbox"))',
        "; the interpreter sandbox-exec starts, and forks of it; no other program",
        f"(allow process-exec (literal {quoted(os.path.realpath(executable))}))",
        "(allow process-fork)",
        "(allow process-info* (target same-sandbox))",
        "(allow signal (target same-sandbox))",
        "(allow sysctl-read)",
        "(allow ipc-posix-shm)",
        "(allow ipc-posix-sem)",
        "(allow mach-lookup (global-name \"com.apple.system.logger\") (global-name \"com.apple.trustd.agent\"))",
        "; files: metadata anywhere (path lookups), contents only here",
        "(allow file-read-metadata)",
        "(allow file-read*",
        *(f"  (subpath {quoted(path)})" for path in readable),
        *(f"  (literal {quoted(path)})" for path in DEVICES),
        ")",
        "(allow file-write*",
        *(f"  (subpath {quoted(path)})" for path in writable),
        f"  (literal {quoted('/dev/null')})",
        ")",
        f"(allow file-ioctl (literal {quoted('/dev/null')}))",
        "; network: the stub on the loopback, nothing else",
        f"(allow network-outbound (remote ip {quoted(f'localhost:{int(stub_port)}')}))",
    ]
    return "\n".join(lines) + "\n"


def prefix(spec: dict[str, object], python_dirs: list[str]) -> list[str]:
    """The command words that start the harness under the profile."""
    host_port = spec["stub_address"]
    assert isinstance(host_port, list)
    text = profile(python_dirs=python_dirs, workdir=str(spec["workdir"]), tmpdir=str(spec["tmpdir"]),
                   stub_port=int(host_port[1]), executable=sys.executable)
    return [shutil.which("sandbox-exec") or "/usr/bin/sandbox-exec", "-p", text]
