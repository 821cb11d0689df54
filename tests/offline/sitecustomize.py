"""Run at the start of every Python process the test suite launches: no network but loopback."""

import network_guard

network_guard.install()
