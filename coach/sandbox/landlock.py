"""Landlock at the process level: what learner code may read, write and connect to, enforced by the kernel.

Where user namespaces are refused, the kernel still offers Landlock (Linux 5.13+), which any
unprivileged process can apply to itself and which no capability bypasses. The learner process
applies it before learner code runs, after the harness has imported what it needs, so every
thread and child it makes inherits it:

- reads: the Python installation (less coach's own package), the shared libraries and time
  zones the runtime loads, the work dir, the private tmp, /dev/null, zero, random, urandom, and the
  process's own /proc/self (inside namespaces, the sandbox's own /proc and /dev);
- writes: the work dir, the private tmp and /dev/null;
- TCP: connect to the stub's port only, bind nothing (ABI 4);
- signals and abstract Unix sockets: only within the sandbox (ABI 6);
- ioctl on devices: none (ABI 5).

Older kernels get what their ABI offers; `missing()` names what is then not enforced, and the
isolation label says so.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Iterable
from functools import cache
from pathlib import Path

RUNTIME_DIRS = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/zoneinfo", "/usr/share/locale",
                "/etc/ssl/certs", "/usr/share/ca-certificates")
"""Shared libraries an extension module loads late (libssl, libffi), time zones, locales and the public CA
certificates the SDK's HTTP client loads: no secrets."""
RUNTIME_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/dev/zero", "/dev/random", "/dev/urandom")
WRITABLE_FILES = (os.devnull,)
_FEATURES_BY_ABI = ((4, "TCP connections"), (5, "device ioctls"), (6, "signals and abstract sockets"))


def abi() -> int:
    """This kernel's Landlock ABI, 0 when it has none (or the binding is missing)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        from py_landlock import get_abi_version

        return int(get_abi_version())
    except Exception:  # not compiled in, disabled at boot, or an unknown kernel: none
        return 0


def missing(version: int) -> list[str]:
    """What this ABI cannot limit, in words for the isolation label."""
    if version <= 0:
        return ["files", *(name for _, name in _FEATURES_BY_ABI)]
    return [name for needed, name in _FEATURES_BY_ABI if version < needed]


@cache
def hidden_package_dirs() -> list[str]:
    """coach's own package (and its install record): learner code must not read the grader or its scenarios."""
    package = Path(__file__).resolve().parents[1]
    records = [name for name in os.listdir(package.parent) if name.startswith("coach-") and name.endswith(".dist-info")]
    return [str(package), *(str(package.parent / name) for name in records)]


def python_read_roots() -> list[str]:
    """The interpreter's folders: prefixes, stdlib, site-packages (coach's own source checkout is not one)."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(os.path.realpath(sys.executable)).parent)}
    paths.update(sysconfig.get_paths().get(k, "") for k in ("stdlib", "platstdlib", "purelib", "platlib"))
    return sorted({os.path.realpath(p) for p in paths if p and os.path.isdir(p)})


def readable_dirs(roots: Iterable[str], hidden: Iterable[str]) -> list[str]:
    """`roots`, each split into its children wherever a `hidden` folder lies beneath it, less the hidden ones.

    Landlock only grants, so a folder inside a readable one cannot be taken away; it is left out
    by granting its siblings instead, level by level down to it.
    """
    hidden = [os.path.realpath(h) for h in hidden]
    granted: list[str] = []
    pending = sorted(set(roots))
    while pending:
        root = pending.pop()
        if any(root == h for h in hidden):
            continue
        if not any(h.startswith(root.rstrip("/") + "/") for h in hidden):
            granted.append(root)
            continue
        try:
            children = [os.path.join(root, name) for name in os.listdir(root)]
        except OSError:
            continue
        for child in children:
            if os.path.isdir(child) and not os.path.islink(child):
                pending.append(child)
            elif os.path.exists(child):
                granted.append(child)
    return sorted(granted)


_held: dict[str, tuple[int, bool]] = {}
"""Path -> (O_PATH descriptor, is a folder): opened once, in the warm pool's server, and inherited by each run."""


def _held_fd(path: str) -> tuple[int, bool] | None:
    if path not in _held:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return None
        _held[path] = (fd, os.path.isdir(f"/proc/self/fd/{fd}"))
    return _held[path]


def _static_reads(python_roots: list[str]) -> list[str]:
    return readable_dirs([*python_roots, *RUNTIME_DIRS], hidden_package_dirs()) + list(RUNTIME_FILES)


def hold(python_roots: list[str]) -> None:
    """Open the folders every run grants now: a forked run then adds rules without walking paths.

    Not /proc or /dev: inside namespaces those are fresh mounts, which a descriptor opened out here
    would not name.
    """
    for path in _static_reads(python_roots):
        if not path.startswith(("/proc", "/dev")):
            _held_fd(path)


def apply(writable: list[str], python_roots: list[str], stub_port: int, hidden: list[str],
          also_readable: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    """Confine this process (and every thread and child it makes later); returns what is not enforced.

    `hidden`: folders inside the readable ones that stay unreadable (coach's own, see isolation.coach_dirs).
    `also_readable`: what the level makes harmless to read: the sandbox's own /proc and /dev inside
    namespaces; at the process level only /proc/self (the kernel resolves it to this process now).
    """
    version = abi()
    if version <= 0:
        return missing(version)
    from py_landlock import (
        AccessFs,
        AccessNet,
        NetPortAttr,
        PathBeneathAttr,
        RulesetAttr,
        add_rule,
        create_ruleset,
        restrict_self,
    )
    from py_landlock.abi import ABIVersion, get_supported_fs, get_supported_net, get_supported_scope

    handled = get_supported_fs(ABIVersion(version))
    file_rights = AccessFs.EXECUTE | AccessFs.WRITE_FILE | AccessFs.READ_FILE | AccessFs.TRUNCATE | AccessFs.IOCTL_DEV
    read = AccessFs.READ_FILE | AccessFs.READ_DIR
    write = (AccessFs.WRITE_FILE | AccessFs.TRUNCATE | AccessFs.MAKE_REG | AccessFs.MAKE_DIR | AccessFs.MAKE_SYM
             | AccessFs.REMOVE_FILE | AccessFs.REMOVE_DIR | AccessFs.REFER)
    attr = RulesetAttr()
    attr.handled_access_fs = handled
    attr.handled_access_net = get_supported_net(ABIVersion(version))  # 0 before ABI 4
    attr.scoped = get_supported_scope(ABIVersion(version))  # signals and abstract sockets; 0 before ABI 6
    ruleset = create_ruleset(attr)
    opened: list[int] = []

    def grant(path: str, access: int) -> None:
        held = _held.get(path)
        if held is None:  # a per-run path: opened for this run only
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                return
            opened.append(fd)
            held = (fd, os.path.isdir(path))
        fd, is_dir = held
        rights = access & handled & (~0 if is_dir else file_rights)
        if rights:
            rule = PathBeneathAttr()
            rule.allowed_access, rule.parent_fd = rights, fd
            add_rule(ruleset, rule)

    try:
        reads = (_static_reads(python_roots) if not hidden
                 else readable_dirs([*python_roots, *RUNTIME_DIRS], [*hidden, *hidden_package_dirs()])
                 + list(RUNTIME_FILES))
        for path in [*reads, *also_readable]:
            grant(path, read)
        for path in writable:
            grant(path, read | write)
        for path in WRITABLE_FILES:
            grant(path, AccessFs.READ_FILE | AccessFs.WRITE_FILE | AccessFs.TRUNCATE)
        if attr.handled_access_net:
            port = NetPortAttr()
            port.allowed_access, port.port = AccessNet.CONNECT_TCP, stub_port
            add_rule(ruleset, port)
        restrict_self(ruleset, None)  # no_new_privs is already set (namespaces.drop_privileges)
    finally:
        os.close(ruleset)
        for fd in [*opened, *(fd for fd, _ in _held.values())]:
            os.close(fd)
        _held.clear()
    return missing(version)
