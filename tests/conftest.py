"""Shared test set-up: figures render off-screen, and paths to the course's folders."""

import os
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
