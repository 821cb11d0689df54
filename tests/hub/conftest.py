"""The hub tests drive Chromium with the browser tests' helpers (tests/browser/labdriver.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
