"""Peer tools for benchmarks, installed into a virtual environment of their own
(``benchmarks/.peers``) so they never become project dependencies."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

PEERS_DIR = Path(__file__).resolve().parent / ".peers"


def peer_executable(package: str, executable: str) -> Path:
    """Path of ``executable`` from ``package``, installing it into benchmarks/.peers once."""
    exe = PEERS_DIR / "bin" / executable
    if exe.exists():
        return exe
    if not (PEERS_DIR / "bin" / "python").exists():
        venv.create(PEERS_DIR, with_pip=True)
    print(f"[installing {package} into {PEERS_DIR} for the comparison]", file=sys.stderr)
    subprocess.run(
        [str(PEERS_DIR / "bin" / "python"), "-m", "pip", "install", "--quiet", package],
        check=True,
        timeout=900,
    )
    return exe
