"""Linux process plumbing for the sandbox: namespaces, subreaper, privilege drop, reaping.

The kernel calls that `os` does not offer go through ctypes on libc. Everything here runs
in the sandbox's own processes, never in the app.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import select
import signal
import socket
import struct
import time
from typing import Any

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36

_libc: ctypes.CDLL | None = None


def libc() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        # The process's own symbols include libc's (Python links it). `find_library("c")` would run
        # `ldconfig -p`, a few ms in every harness and zygote.
        _libc = ctypes.CDLL(None, use_errno=True)
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


# --- entering the namespaces directly (no bubblewrap) -------------------------------------

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACES = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWCGROUP

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MS_STRICTATIME = 1 << 24
_KEPT_OPTIONS = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
}
SANDBOX_ID = 1000
NOBODY_ID = 65534


def enter(spec: dict[str, Any]) -> None:
    """Move into new user, mount, network, IPC, UTS, cgroup and PID namespaces.

    Returns in PID 1 of the new PID namespace. The calling process stays outside, waits and
    exits with the status; every process between it and PID 1 has a parent-death signal, so
    killing it (the runner's pid) kills PID 1 and with it every process in the namespace.

    Only a process in the parent namespace may map another uid than its own (an app running as
    root maps the sandbox user to nobody, not to root), as newuidmap(1) does. Forked by the warm
    pool's server, this process unshares itself and the server writes its maps (`map_fds` in the
    spec): one fork fewer per run. Started cold, a helper child unshares and this process maps it.
    """
    if spec.get("map_fds"):
        unshare_mapped_by_parent(*spec.pop("map_fds"))
    else:
        _enter_through_a_helper(spec)
    set_up(spec)
    become_pid1()
    finish_pid1()


def unshare_mapped_by_parent(request_fd: int, done_fd: int) -> None:
    """Unshare every namespace; the parent process (`map_ids_when_asked`) writes this process's uid maps."""
    try:
        _check(libc().unshare(NAMESPACES), "unshare")
    finally:
        os.write(request_fd, b"1")
        os.close(request_fd)
    os.read(done_fd, 1)
    os.close(done_fd)


def set_up(spec: dict[str, Any]) -> None:
    """Inside the new namespaces, with all their capabilities: hostname, the sandbox user, mounts, loopback, the
    stub's socket handed out."""
    # Still the host uid on files (and all capabilities in the new namespaces): open the
    # folders to show again inside while the host's permissions still let us.
    held = hold_folders(spec)
    devices = hold_devices()
    # Capabilities stay in effect (in the new namespaces only) while this process sets them up.
    _sethostname("sandbox")
    # The sandbox user from here on (new files need a mapped owner); the capabilities stay,
    # because the previous uid was not this namespace's root.
    os.setresgid(SANDBOX_ID, SANDBOX_ID, SANDBOX_ID)
    os.setresuid(SANDBOX_ID, SANDBOX_ID, SANDBOX_ID)
    _mount_filesystems(spec, held)
    _mount_minimal_dev(devices, spec["limits"]["tmp_mb"] << 20)
    _loopback_up()
    hand_off_stub_socket(spec)


def become_pid1() -> None:
    """Fork PID 1 of the new PID namespace and return in it; this process waits outside, holding nothing but
    the pipe whose end tells PID 1 it died."""
    alive_r, alive_w = os.pipe()  # open in the parent as long as it lives
    pid = os.fork()
    if pid != 0:
        hold_nothing(keep=alive_w)
        os._exit(_wait_status(pid))
    os.close(alive_w)
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if select.select([alive_r], [], [], 0)[0]:  # EOF: the parent died before the line above
        os._exit(137)
    os.close(alive_r)


def finish_pid1() -> None:
    """PID 1's own /proc (after the mounts: it lies over the host's), and no debugger may attach from here on."""
    _mount(b"proc", "/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    prctl(PR_SET_DUMPABLE, 0)


def _enter_through_a_helper(spec: dict[str, Any]) -> None:
    """Unshare in a child that this process maps from outside, then waits for; returns in the child."""
    unshared_r, unshared_w = os.pipe()
    mapped_r, mapped_w = os.pipe()
    child = os.fork()
    if child != 0:
        os.close(unshared_w)
        os.close(mapped_r)
        os.close(spec["control_fd"])
        if os.read(unshared_r, 1) == b"1":
            write_id_maps(child)
        os.write(mapped_w, b"1")
        hold_nothing()
        os._exit(_wait_status(child))
    os.close(unshared_r)
    os.close(mapped_w)
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    try:
        _check(libc().unshare(NAMESPACES), "unshare")
    finally:
        os.write(unshared_w, b"1")
    os.read(mapped_r, 1)
    os.close(mapped_r)
    os.close(unshared_w)


def let_go_of_output() -> None:
    """Point stdout and stderr at /dev/null, so the learner's processes alone hold the runner's output pipes."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def hold_nothing(keep: int | None = None) -> None:
    """A process that only waits for its child holds none of the runner's channels (only `keep`): each ends
    with the sandbox."""
    let_go_of_output()
    if keep is None:
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    else:
        os.closerange(3, keep)
        os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))


def write_id_maps(pid: int) -> None:
    """Map the sandbox user of `pid`'s new user namespace to this process's user (nobody for root)."""
    outer_uid, outer_gid = os.geteuid(), os.getegid()
    host_uid = NOBODY_ID if outer_uid == 0 else outer_uid
    host_gid = NOBODY_ID if outer_uid == 0 else outer_gid
    _write(f"/proc/{pid}/setgroups", "deny")
    _write(f"/proc/{pid}/uid_map", f"{SANDBOX_ID} {host_uid} 1\n")
    _write(f"/proc/{pid}/gid_map", f"{SANDBOX_ID} {host_gid} 1\n")


def map_ids_when_asked(pid: int, request_fd: int, done_fd: int) -> None:
    """The warm pool's side of `enter`: once `pid` has unshared, write its maps and say so."""
    try:
        if os.read(request_fd, 1) == b"1":
            with contextlib.suppress(OSError):  # the child died first, or could not unshare: it reports that itself
                write_id_maps(pid)
        with contextlib.suppress(OSError):
            os.write(done_fd, b"1")
    finally:
        os.close(request_fd)
        os.close(done_fd)


def _wait_status(pid: int) -> int:
    while True:
        try:
            _, status = os.waitpid(pid, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            return 70
        if os.WIFSIGNALED(status):
            return 128 + os.WTERMSIG(status)
        return os.WEXITSTATUS(status)


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)


def _sethostname(name: str) -> None:
    data = name.encode()
    _check(libc().sethostname(data, len(data)), "sethostname")


def _mount(source: bytes | None, target: str, fstype: bytes | None, flags: int, data: bytes | None = None) -> None:
    result = libc().mount(source, os.fsencode(target), fstype, ctypes.c_ulong(flags), data)
    _check(result, f"mount {target}")


def _mounts() -> list[tuple[str, int]]:
    """(mount point, flags the kernel will not let this namespace drop) for every mount."""
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as handle:
        for line in handle:
            fields = line.split()
            point = fields[4].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
            flags = 0
            for option in fields[5].split(","):
                flags |= _KEPT_OPTIONS.get(option, 0)
            found.append((point, flags))
    return found


def hold_folders(spec: dict[str, Any]) -> dict[str, int]:
    """The work dir and the Python folders that the tmpfs mounts would hide, as O_PATH fds.

    Not coach's source checkout: the harness imported all it needs before the mounts, and a checkout
    shown again under the private /tmp would be readable through the learner's right to its /tmp.
    """
    from coach.sandbox.isolation import coach_source_root

    source = coach_source_root()
    keep: list[str] = []
    for path in sorted(spec["keep"], key=len):
        if path == source:
            continue
        if _under_any(path, [*spec["hidden"], "/tmp", "/run"]) and not _under_any(path, keep):
            keep.append(path)
    return {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in [spec["workdir"], *keep]}


def _mount_filesystems(spec: dict[str, Any], held: dict[str, int]) -> None:
    """Everything read-only; private tmpfs on /tmp, /dev/shm, /run and the homes; the work dir writable."""
    workdir = spec["workdir"]
    keep = [path for path in held if path != workdir]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    for point, flags in _mounts():
        if point.startswith(("/proc", "/sys")) and point not in ("/proc", "/sys"):
            continue
        try:
            _mount(None, point, None, MS_BIND | MS_REMOUNT | MS_RDONLY | flags)
        except OSError:
            if point == "/":
                raise
    size = spec["limits"]["tmp_mb"] << 20
    for point in ("/tmp",):
        if os.path.isdir(point):
            _mount(b"tmpfs", point, b"tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777".encode())
    for point in ["/run", *spec["hidden"]]:
        if os.path.isdir(point):
            _mount(b"tmpfs", point, b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,mode=755")
    for path in keep:
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{held[path]}".encode(), path, None, MS_BIND | MS_REC)
        _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.makedirs(workdir, exist_ok=True)
    _mount(f"/proc/self/fd/{held[workdir]}".encode(), workdir, None, MS_BIND)
    _mount(None, workdir, None, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV)
    for fd in held.values():
        os.close(fd)
    for path in spec.get("coach_dirs", []):
        # coach's package, course files and the learner's folders: empty here, wherever they lie (a checkout
        # under /tmp, a virtualenv in a home), whatever else is granted around them.
        if os.path.isdir(path):
            _mount(b"tmpfs", path, b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=4k,mode=000")
    for point in ["/run", *spec["hidden"]]:
        if os.path.isdir(point):
            _mount(None, point, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


DEVICES = ("null", "zero", "full", "random", "urandom")
"""The only device nodes inside, as bubblewrap's --dev gives them less its tty: no terminal, no pts."""
_DEV_LINKS = {"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1",
              "stderr": "/proc/self/fd/2"}


def hold_devices() -> dict[str, int]:
    """The host's harmless device nodes as O_PATH fds, to bind onto the fresh /dev once it hides the host's."""
    return {name: os.open(f"/dev/{name}", os.O_PATH) for name in DEVICES if os.path.exists(f"/dev/{name}")}


def _mount_minimal_dev(devices: dict[str, int], shm_size: int) -> None:
    """A tmpfs /dev holding only DEVICES (bind mounts of the host's nodes), symlinks and a private /dev/shm.

    The host's /dev, with its ttys, pts and disks, is hidden under it: a program cannot open the
    learner's terminal to write escape sequences or read what is typed there.
    """
    _mount(b"tmpfs", "/dev", b"tmpfs", MS_NOSUID | MS_NOEXEC, b"size=64k,mode=755")
    for name, fd in devices.items():
        with open(f"/dev/{name}", "wb"):
            pass
        _mount(f"/proc/self/fd/{fd}".encode(), f"/dev/{name}", None, MS_BIND)
        os.close(fd)
    for name, target in _DEV_LINKS.items():
        os.symlink(target, f"/dev/{name}")
    os.mkdir("/dev/shm")
    _mount(b"tmpfs", "/dev/shm", b"tmpfs", MS_NOSUID | MS_NODEV, f"size={shm_size},mode=1777".encode())
    _mount(None, "/dev", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC)


def _under_any(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _loopback_up() -> None:
    """A new network namespace has only `lo`, and it is down."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock, siocgifflags, request))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sH14x", b"lo", flags | iff_up))


def hand_off_stub_socket(spec: dict[str, Any]) -> None:
    """Listen on the sandbox's own 127.0.0.1 and pass the socket out for the stub to serve.

    Learner code then reaches the stub at a plain `http://127.0.0.1:PORT`, while the stub's
    admin interface stays on the host's loopback, which this network namespace cannot see.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        port = listener.getsockname()[1]
        with socket.socket(fileno=os.dup(spec["control_fd"])) as control:
            socket.send_fds(control, [b"S"], [listener.fileno()])
    spec["env"]["ANTHROPIC_BASE_URL"] = f"http://127.0.0.1:{port}"
