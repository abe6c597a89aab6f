"""seccomp at every level: the system calls learner code may not make, refused by the kernel.

Built with libseccomp (through `pyseccomp`, see pyproject.toml) and loaded in the learner
process before learner code runs, for every thread (TSYNC); inherited by every child. Where
namespaces are missing it is half of the boundary (with Landlock); inside them, a second wall. Everything
is allowed except what follows, which fails with EPERM (EAFNOSUPPORT for sockets):

- starting programs (`execve`, `execveat`): a new program would run without the audit hook;
- reaching other processes: `ptrace`, `process_vm_readv/writev`, `pidfd_open`, `pidfd_getfd`,
  `pidfd_send_signal`, `kcmp`, and `kill(-1)` (every process the user may signal). Signals to
  single processes outside the sandbox are Landlock's to refuse (ABI 6);
- sockets other than TCP over IPv4/IPv6 and Unix socket *pairs*: no UDP, raw, netlink or packet
  sockets, no Unix socket that could connect to a path or an abstract name; no TCP Fast Open
  (`MSG_FASTOPEN`), which connects inside `sendto`/`sendmsg`;
- typing into a terminal: the `TIOCSTI` and `TIOCLINUX` ioctls;
- new namespaces, mounts, keyrings, BPF, perf, io_uring (whose operations seccomp cannot see),
  userfaultfd, `clone3` (its flags cannot be inspected: ENOSYS makes the C library fall back to
  `clone`, whose namespace flags are refused), module and reboot calls.

The clock's channel (`sendmsg` with SCM_RIGHTS on an inherited socketpair), pipes, futexes,
`mmap` of the read-only page and threads are untouched.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

_REFUSED = (
    "execve", "execveat",
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "kcmp",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsmount",
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff",
    "acct", "quotactl", "setdomainname", "sethostname", "settimeofday", "clock_settime", "adjtimex",
)  # fmt: skip
_NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080)
"""CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME."""
TIOCSTI, TIOCLINUX = 0x5412, 0x541C
MSG_FASTOPEN = 0x20000000
_LOW32 = 0xFFFFFFFF


def available() -> bool:
    """libseccomp and its binding load here (Linux only)."""
    try:
        import pyseccomp  # noqa: F401
    except (ImportError, RuntimeError, OSError):
        return False
    return True


_prepared: dict[bool, Any] = {}


def prepare() -> None:
    """Build both filters now (the warm pool's server, before it forks): a run then only loads one."""
    for netlink in (False, True):
        if netlink not in _prepared:
            _prepared[netlink] = _build(netlink)


def apply(netlink: bool = False) -> None:
    """Load the filter into every thread of this process; irreversible. Raises OSError if the kernel refuses.

    `netlink`: let AF_NETLINK sockets through (at the namespace levels, where they see only the
    sandbox's own loopback, so a program can list its interfaces).
    """
    rules = _prepared.pop(netlink, None) or _build(netlink)
    rules.load()


def _build(netlink: bool) -> Any:
    import pyseccomp as sc

    refuse = sc.ERRNO(errno.EPERM)
    no_family = sc.ERRNO(errno.EAFNOSUPPORT)
    rules = sc.SyscallFilter(sc.ALLOW)
    rules.set_attr(sc.Attr.CTL_TSYNC, 1)
    for name in _REFUSED:
        try:
            rules.add_rule(refuse, name)
        except (OSError, ValueError, RuntimeError):
            continue  # a call this kernel or architecture does not have
    rules.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    for flag in _NAMESPACE_FLAGS:
        rules.add_rule(refuse, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    rules.add_rule(refuse, "kill", sc.Arg(0, sc.MASKED_EQ, _LOW32, _LOW32))  # kill(-1, ...)
    # socket(): IPv4 and IPv6 only, stream only, TCP (or the default protocol) only.
    for family in (*range(0, socket.AF_INET), *range(socket.AF_INET + 1, socket.AF_INET6)):
        rules.add_rule(no_family, "socket", sc.Arg(0, sc.EQ, family))
    if netlink:
        rules.add_rule(no_family, "socket", sc.Arg(0, sc.GT, socket.AF_NETLINK))
        for family in range(socket.AF_INET6 + 1, socket.AF_NETLINK):
            rules.add_rule(no_family, "socket", sc.Arg(0, sc.EQ, family))
    else:
        rules.add_rule(no_family, "socket", sc.Arg(0, sc.GT, socket.AF_INET6))
    for family in (socket.AF_INET, socket.AF_INET6):
        for kind in range(16):
            if kind != socket.SOCK_STREAM:
                rules.add_rule(no_family, "socket", sc.Arg(0, sc.EQ, family), sc.Arg(1, sc.MASKED_EQ, 0xF, kind))
        for protocol in range(1, socket.IPPROTO_TCP):
            rules.add_rule(no_family, "socket", sc.Arg(0, sc.EQ, family), sc.Arg(2, sc.EQ, protocol))
        rules.add_rule(no_family, "socket", sc.Arg(0, sc.EQ, family), sc.Arg(2, sc.GT, socket.IPPROTO_TCP))
    rules.add_rule(no_family, "socketpair", sc.Arg(0, sc.NE, socket.AF_UNIX))
    for call, flags_arg in (("sendto", 3), ("sendmsg", 2), ("sendmmsg", 3)):
        rules.add_rule(refuse, call, sc.Arg(flags_arg, sc.MASKED_EQ, MSG_FASTOPEN, MSG_FASTOPEN))
    for request in (TIOCSTI, TIOCLINUX):
        rules.add_rule(refuse, "ioctl", sc.Arg(1, sc.MASKED_EQ, _LOW32, request))
    return rules
