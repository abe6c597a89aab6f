"""Linux process plumbing for the sandbox: namespaces, subreaper, privilege drop, reaping.

The kernel calls that `os` does not offer go through ctypes on libc. Everything here runs
in the sandbox's own processes, never in the app.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import time

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36

_libc: ctypes.CDLL | None = None


def libc() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


def _check(result: int, what: str) -> int:
    if result == -1:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def prctl(option: int, arg: int = 0) -> None:
    _check(libc().prctl(option, ctypes.c_ulong(arg), 0, 0, 0), f"prctl({option})")


def become_subreaper() -> None:
    """Orphans of learner code become our children, so none outlives the run unnoticed."""
    # Not Linux: the process group kill is all there is.
    with contextlib.suppress(OSError, AttributeError):
        prctl(PR_SET_CHILD_SUBREAPER, 1)


CAP_DAC_READ_SEARCH = 2
PR_SET_KEEPCAPS = 8


def drop_privileges(keep_caps: int = 0) -> None:
    """No capabilities but `keep_caps` (a bit mask) and no way to regain any (setuid binaries, file caps)."""
    try:
        prctl(PR_SET_NO_NEW_PRIVS, 1)
    except (OSError, AttributeError):
        return
    _set_capabilities(keep_caps)


def root_to_nobody(uid: int) -> int:
    """Leave uid 0 so RLIMIT_NPROC applies, keeping only the right to read and search.

    Returns the capability mask to keep. Used at process level when the app runs as root
    (a CI box, this VM): the Python install may sit in root's 0700 home, which `nobody`
    could not read otherwise. The audit hook still refuses reads in hidden homes.
    """
    prctl(PR_SET_KEEPCAPS, 1)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    return 1 << CAP_DAC_READ_SEARCH


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _set_capabilities(mask: int) -> None:
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    data[0].effective = data[0].permitted = mask
    _check(libc().capset(ctypes.byref(header), data), "capset")


def _children_by_parent() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def descendants(pid: int) -> list[int]:
    tree = _children_by_parent()
    found: list[int] = []
    pending = [pid]
    while pending:
        for child in tree.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def kill_descendants(rounds: int = 50) -> None:
    """SIGKILL every descendant (a fork bomb keeps forking, so repeat) and reap them."""
    me = os.getpid()
    for _ in range(rounds):
        found = descendants(me)
        if not found:
            break
        for pid in found:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        _reap()
        time.sleep(0.002)
    _reap()


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
