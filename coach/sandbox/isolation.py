"""Which isolation level this machine allows, and how each level starts the harness.

Strongest first: bubblewrap when installed and working, the kernel's namespaces directly
(unprivileged user namespaces) when not, and the process level (limits, scrubbed
environment, audit hook) where neither works. `COACH_SANDBOX_ISOLATION` forces one level
(`bwrap`, `namespaces`, `process`), for tests and for machines where probing misleads.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

FORCE_VAR = "COACH_SANDBOX_ISOLATION"
LEVEL_NAMES = ("bwrap", "namespaces", "process")


@dataclass(frozen=True)
class Level:
    name: str
    label: str
    prefix: Callable[[dict[str, Any]], list[str]] = field(default=lambda spec: [])

    def command(self, spec: dict[str, Any]) -> list[str]:
        """The command words that come before `python -I` and the harness (`harness_args`)."""
        return self.prefix(spec)

    def harness_args(self, spec: dict[str, Any]) -> list[str]:
        """How `python -I` starts the harness: `-m coach.sandbox`, or from coach's source bound at HARNESS_SOURCE."""
        if self.name == "bwrap" and relocated_source(spec) is not None:
            return ["-c", f"import sys; sys.path.insert(0, {HARNESS_SOURCE!r}); "
                          "from coach.sandbox.harness import main; main()"]
        return ["-m", "coach.sandbox"]


NAMESPACES = Level("namespaces", "namespaces")


@cache
def process_label() -> str:
    """The process level's label: it says there are no namespaces, and what the kernel enforces instead."""
    from coach.sandbox import landlock, seatbelt, syscalls

    if seatbelt.available():
        return "process (no namespaces: Seatbelt, audit hook)"
    version = landlock.abi()
    if version <= 0:
        parts = ["no Landlock"]
    else:
        unenforced = landlock.missing(version)
        parts = [f"Landlock ABI {version}" + (f" without {', '.join(unenforced)}" if unenforced else "")]
    parts.append("seccomp" if syscalls.available() else "no seccomp")
    return f"process (no namespaces: {', '.join(parts)}, audit hook)"


def process_level() -> Level:
    from coach.sandbox import seatbelt

    if seatbelt.available():  # macOS: the harness starts under sandbox-exec, so only cold starts get it
        return Level("process", process_label(), lambda spec: seatbelt.prefix(spec, python_dirs()))
    return Level("process", process_label())


class IsolationUnavailable(Exception):
    """The isolation level the setting asks for cannot start here; the message says why and what to do."""


def requested() -> str | None:
    """The level `COACH_SANDBOX_ISOLATION` asks for, or None (choose the strongest available)."""
    forced = os.environ.get(FORCE_VAR, "").strip()
    if not forced:
        return None
    if forced not in LEVEL_NAMES:
        raise IsolationUnavailable(f"{FORCE_VAR} must be one of {', '.join(LEVEL_NAMES)}, not {forced!r}")
    if not available(forced):
        raise IsolationUnavailable(f"{FORCE_VAR}={forced}: {_why_unavailable(forced)}; "
                                   f"unset it to use the strongest level this machine has")
    return forced


def _why_unavailable(name: str) -> str:
    if not sys.platform.startswith("linux"):
        return f"the {name} level needs Linux"
    if name == "bwrap" and not shutil.which("bwrap"):
        return "bubblewrap (bwrap) is not installed"
    if name == "bwrap":
        return "bwrap is installed but could not create its namespaces here (user namespaces refused?)"
    return "this kernel refuses unprivileged user namespaces (a container, or a distribution that restricts them)"


def warm_level() -> str | None:
    """The level a warm pool runs at under the setting, or None when only cold starts honour it (bwrap)."""
    forced = requested()
    from coach.sandbox import seatbelt

    if forced == "bwrap":
        return None
    if forced is not None:
        return None if forced == "process" and seatbelt.available() else forced
    if available("namespaces"):
        return "namespaces"
    return None if seatbelt.available() else "process"  # a Seatbelt profile applies from the start only


def current_level() -> Level:
    """The level a cold run gets: the setting's, or the strongest available (IsolationUnavailable if unmet)."""
    forced = requested()
    if forced:
        return _level(forced)
    # As root, bubblewrap maps the sandbox user to root, which RLIMIT_NPROC never applies to;
    # the direct level maps it to nobody, so it goes first there.
    order = ("namespaces", "bwrap", "process") if os.geteuid() == 0 else LEVEL_NAMES
    for name in order:
        if available(name):
            return _level(name)
    return process_level()


def _level(name: str) -> Level:
    if name == "bwrap":
        return Level("bwrap", "namespaces (bubblewrap)", bwrap_prefix)
    return NAMESPACES if name == "namespaces" else process_level()


@cache
def available(name: str) -> bool:
    """Probe once per app: can this level actually start here?"""
    if name == "process":
        return True
    if not sys.platform.startswith("linux"):
        return False
    if name == "bwrap":
        bwrap = shutil.which("bwrap")
        probe = [bwrap or "bwrap", "--unshare-all", "--ro-bind", "/", "/", "--proc", "/proc", "--", "true"]
    else:
        probe = [sys.executable, "-I", "-S", "-c", _UNSHARE_PROBE]
        bwrap = "yes"
    if not bwrap:
        return False
    try:
        return subprocess.run(probe, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


_UNSHARE_PROBE = (
    "import ctypes,os\n"
    "libc=ctypes.CDLL(None,use_errno=True)\n"
    "flags=0x10000000|0x00020000|0x40000000|0x08000000|0x20000000\n"  # user, mount, net, ipc, pid
    "raise SystemExit(0 if libc.unshare(flags)==0 else 1)\n"
)


def hidden_dirs() -> list[str]:
    """Folders replaced by an empty tmpfs inside: homes hold keys, tokens and shell history."""
    candidates = {"/root", "/home", os.path.expanduser("~"), "/run/user", "/var/mail"}
    return sorted(p for p in candidates if os.path.isdir(p) and p != "/")


def coach_dirs() -> list[str]:
    """What learner code must not read at any level: coach's package and course files, the learner's folders."""
    from coach import paths
    from coach.sandbox import landlock

    found = [*landlock.hidden_package_dirs(), str(paths.bundled_lessons_dir()), str(paths.bundled_exercises_dir()),
             str(paths.user_data_dir()), str(paths.user_config_dir()), str(paths.user_log_dir())]
    return sorted({os.path.realpath(p) for p in found if os.path.isdir(p)})


HARNESS_SOURCE = "/run/coach-harness"
"""Where bubblewrap shows coach's package when its checkout would otherwise be bound inside the private /tmp:
a folder Landlock grants the learner nothing of (`/run` is an empty tmpfs inside)."""


def coach_source_root() -> str | None:
    """The folder holding coach's package when it is a source checkout, not a Python folder (an editable install)."""
    from coach.sandbox import landlock

    root = os.path.dirname(landlock.hidden_package_dirs()[0])
    return None if root in landlock.python_read_roots() else root


def relocated_source(spec: dict[str, Any]) -> str | None:
    """coach's package folder when bubblewrap must show it at HARNESS_SOURCE instead of in place, else None.

    In place, a checkout under /tmp would sit inside the private /tmp, which the learner may read and write.
    """
    from coach.sandbox import landlock

    source = coach_source_root()
    if source is None or not _under(source, [*spec["hidden"], "/tmp", "/run"]):
        return None
    return landlock.hidden_package_dirs()[0]


def _under(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def python_dirs() -> list[str]:
    """Folders the harness needs that may sit inside a hidden home (a venv, an editable checkout)."""
    return list(_python_dirs())


@functools.cache
def _python_dirs() -> tuple[str, ...]:
    """Found once a process: `sysconfig.get_paths()` costs about 2 ms, on every run's path otherwise."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(__file__).resolve().parents[2])}
    paths.update(sysconfig.get_paths().get(k, "") for k in ("stdlib", "platstdlib", "purelib", "platlib"))
    paths.add(str(Path(os.path.realpath(sys.executable)).parent))
    return tuple(sorted(os.path.realpath(p) for p in paths if p and os.path.isdir(p)))


def bwrap_prefix(spec: dict[str, Any]) -> list[str]:
    bwrap = shutil.which("bwrap") or "bwrap"
    workdir = spec["workdir"]
    args = [
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--uid", "1000",
        "--gid", "1000",
        "--hostname", "sandbox",
        "--die-with-parent",
        "--new-session",
        "--cap-drop", "ALL",
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--size", str(spec["limits"]["tmp_mb"] << 20), "--tmpfs", "/tmp",
        "--size", str(spec["limits"]["tmp_mb"] << 20), "--tmpfs", "/dev/shm",
        "--tmpfs", "/run",
    ]  # fmt: skip
    for hidden in spec["hidden"]:
        args += ["--tmpfs", hidden]
    # coach's own folders stay readable to the harness, which starts in here; Landlock hides them
    # from the learner process (harness.py).
    source = coach_source_root()
    for keep in spec["keep"]:
        if keep != source and _under(keep, [*spec["hidden"], "/tmp", "/run"]):
            args += ["--ro-bind", keep, keep]
    package = relocated_source(spec)
    if package is not None:
        args += ["--ro-bind", package, f"{HARNESS_SOURCE}/coach"]
    args += ["--bind", workdir, workdir, "--chdir", workdir, "--"]
    return args
