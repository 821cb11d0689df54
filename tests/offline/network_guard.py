"""Block every network connection except loopback, so the test suite proves the course is offline.

Installed in the pytest process by ``tests/conftest.py`` and, through ``sitecustomize.py`` on
``PYTHONPATH``, in every Python process the suite starts (the notebooks' kernels included).
Loopback stays open: Jupyter kernels and the data tests' local HTTP server use it.
"""

import ipaddress
import socket

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def is_local(host) -> bool:
    """Whether ``host`` (a name or an address) is this machine's loopback."""
    host = str(host).strip("[]").lower()
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class NetworkBlockedError(OSError):
    """Raised instead of reaching the network during the tests."""


def _refuse(host):
    raise NetworkBlockedError(
        f"the test suite blocks the network, and something tried to reach {host!r}: the course "
        f"must work offline (local files, or a server on 127.0.0.1 in tests)."
    )


def install() -> None:
    """Patch ``socket`` so that name look-ups and connections beyond loopback raise."""
    if getattr(socket, "_nnlib_guarded", False):
        return
    connect, connect_ex, getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.getaddrinfo,
    )

    def guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0]):
            _refuse(address[0])
        return connect(self, address)

    def guarded_connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0]):
            _refuse(address[0])
        return connect_ex(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host is not None and not is_local(host):
            _refuse(host)
        return getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex
    socket.getaddrinfo = guarded_getaddrinfo
    socket._nnlib_guarded = True
