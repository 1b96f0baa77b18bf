"""Run every benchmark in bench/ and print its figures. Not part of the test suite.

Each benchmark is a script that prints what it measured; they need PostgreSQL on
127.0.0.1:5432 (``make bench`` starts it) and send traffic only to 127.0.0.1.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["ingest.py", "dispatch.py", "channels.py", "inbox.py", "sms_segments.py"]


def main() -> int:
    failures = 0
    for name in BENCHMARKS:
        script = HERE / name
        if not script.exists():
            continue
        print(f"== {name}", flush=True)
        failures += subprocess.run([sys.executable, str(script), *sys.argv[1:]]).returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
