"""The weaker isolation level: an audit hook where the kernel gives no namespaces.

PEP 578 hooks see every socket connect, file open and process spawn made through Python, so
they can refuse sockets to anything but the stub, writes outside the work dir and private
tmp, and new programs (which would run without the hook). They do not stop native code:
`ctypes` is refused for that reason, but a compiled extension the learner brings could
still bypass them. This level is labelled as such in every result.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_PATH_EVENTS = {
    "os.remove": 0,
    "os.rename": (0, 1),
    "os.rmdir": 0,
    "os.mkdir": 0,
    "os.symlink": (0, 1),
    "os.link": (0, 1),
    "os.chmod": 0,
    "os.chown": 0,
    "os.truncate": 0,
    "os.utime": 0,
    "shutil.rmtree": 0,
}
_REFUSED_EVENTS = (
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.system",
    "subprocess.Popen",
    "ctypes.dlopen",
    "ctypes.dlsym",
    "ctypes.cdata",
    "os.kill",
    "os.killpg",
    "signal.pthread_kill",
)


def install(
    writable: Sequence[str], stub_address: tuple[str, int], hidden: Sequence[str] = (), visible: Sequence[str] = ()
) -> None:
    """Refuse what the namespace level would make impossible. Irreversible, by design of PEP 578.

    `hidden`: folders (homes) nothing may be read from, except inside `visible` (the Python
    install) and `writable`.
    """
    roots = (*(os.path.realpath(path) for path in writable), os.devnull)
    secret = tuple(os.path.realpath(path) for path in hidden)
    allowed = roots + tuple(os.path.realpath(path) for path in visible)
    host, port = stub_address
    allowed_hosts = {host, "127.0.0.1", "localhost", "::1"} if host in ("127.0.0.1", "localhost") else {host}

    def real(path: Any) -> str | None:
        try:
            return os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return None

    def writable_path(path: Any) -> bool:
        if isinstance(path, int):
            return True  # an fd the process already holds
        return _under(real(path), roots)

    def readable_path(path: Any) -> bool:
        if isinstance(path, int):
            return True
        where = real(path)
        return not _under(where, secret) or _under(where, allowed)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            path, mode, flags = args
            wants_write = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(flags & _WRITE_FLAGS)
            if wants_write and path is not None and not writable_path(path):
                raise PermissionError(f"sandbox: writing outside the work dir is not allowed: {path}")
            if path is not None and not readable_path(path):
                raise PermissionError(f"sandbox: the home folder is not visible: {path}")
        elif event in ("os.listdir", "os.scandir") and args and args[0] is not None and not readable_path(args[0]):
            raise PermissionError("sandbox: the home folder is not visible")
        elif event in _PATH_EVENTS:
            index = _PATH_EVENTS[event]
            for i in index if isinstance(index, tuple) else (index,):
                if i < len(args) and not writable_path(args[i]):
                    raise PermissionError(f"sandbox: {event} outside the work dir is not allowed")
        elif event == "socket.connect" or event == "socket.sendto":
            sock, address = args[0], args[-1]
            if sock.family == socket.AF_UNIX:
                raise PermissionError("sandbox: Unix sockets are not allowed")
            if isinstance(address, tuple) and (address[0] not in allowed_hosts or address[1] != port):
                raise PermissionError(f"sandbox: only the API stub is reachable, not {address[0]}:{address[1]}")
        elif event == "socket.bind":
            sock, address = args
            if sock.family == socket.AF_UNIX:
                raise PermissionError("sandbox: Unix sockets are not allowed")
        elif event.startswith(_REFUSED_EVENTS):
            raise PermissionError(f"sandbox: {event} is not allowed")

    sys.addaudithook(hook)
    _explain_semaphores()


SEMAPHORES_REFUSED = ("sandbox: multiprocessing's locks, queues and process pools need named semaphores in /dev/shm, "
                      "which the process-level sandbox does not grant (there it is the host's, shared with the "
                      "learner's other programs); use threads or asyncio, or a machine with user namespaces")


def _explain_semaphores() -> None:
    """A semaphore Landlock refuses says why, instead of a bare `[Errno 13] Permission denied` from SemLock."""
    try:
        import _multiprocessing
    except ImportError:
        return
    real = _multiprocessing.SemLock

    class SemLock(real):  # type: ignore[misc, valid-type]
        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().__new__(cls, *args, **kwargs)
            except PermissionError as error:
                raise PermissionError(error.errno, SEMAPHORES_REFUSED) from None

    SemLock.__name__ = SemLock.__qualname__ = real.__name__
    SemLock.__module__ = real.__module__
    _multiprocessing.SemLock = SemLock


def _under(path: str | None, roots: tuple[str, ...]) -> bool:
    return path is not None and any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)
