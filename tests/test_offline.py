"""The suite really runs offline: the guard is on here and in every process the suite starts."""

import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from network_guard import NetworkBlockedError, is_local


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.5.0.1", "::1", "[::1]"])
def test_loopback_is_local(host):
    assert is_local(host)


@pytest.mark.parametrize("host", ["example.org", "10.0.0.1", "192.168.1.1", "8.8.8.8", "::2"])
def test_everything_else_is_not_local(host):
    assert not is_local(host)


def test_name_lookups_are_refused_in_this_process():
    # Check the guard is in place first, so that a broken guard fails here without a real look-up.
    assert socket.getaddrinfo.__name__ == "guarded_getaddrinfo"
    with pytest.raises(NetworkBlockedError, match="blocks the network"):
        socket.getaddrinfo("example.org", 80)
    with pytest.raises(urllib.error.URLError, match="blocks the network"):
        urllib.request.urlopen("http://example.org/", timeout=1)


def test_child_processes_start_with_the_guard():
    code = "import socket; print(getattr(socket, '_nnlib_guarded', False))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
