"""Run the benchmarks: `python bench/run.py [ONLY]` (or `make bench ONLY=...`).

Discovers `bench/bench_*.py`, runs every benchmark whose id starts with ONLY (all when empty),
prints one `BENCH <id> <value> <unit> target <op> <target> PASS|MISS` line per figure on stdout
and everything else on stderr. Exit code 0 when every figure was measured (PASS or MISS);
1 when the harness failed; 2 for a usage error or an ONLY that matches no benchmark.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:  # `python bench/run.py` puts it there; `-m` or exec may not
    sys.path.insert(0, str(BENCH_DIR))

import harness  # noqa: E402 (needs the path above)


def main(argv: list[str]) -> int:
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print(__doc__, file=sys.stderr)
        return 2
    # A TERM (e.g. from a CI timeout) unwinds like Ctrl-C, so the fixtures stop gunicorn.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    harness.discover(BENCH_DIR)
    return harness.run(argv[0] if argv else "")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
