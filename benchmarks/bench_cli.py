"""How fast does ``persearch`` start? Cold runs against bare Python, in one run.

    python benchmarks/bench_cli.py [--runs 10] [--persearch PATH]

Builds an index of ``seeds/`` in a temporary folder, then times (median of
``--runs`` fresh processes each, interleaved so that machine noise hits all
alike):

* ``python -c pass`` (the baseline),
* ``persearch --version``, ``persearch analyze``, and
* ``persearch search`` on the seeds index, piped and with ``--json``,

and prints each median, its overhead over the baseline and the ratio. Target:
a search ≤ 250 ms above bare Python. Then ``python -X importtime`` of a
search run lists the slowest imports (cumulative, top level first).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 250.0


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode(errors='replace').strip()}")
    return elapsed * 1000


def import_offenders(python: str, index: Path, env: dict[str, str], top: int) -> list[tuple[int, int, str]]:
    """(cumulative µs, self µs, module) of the slowest imports during a search."""
    code = ("import sys\nfrom persearch.cli import main\nsys.argv=['persearch','search','داعش','--index',"
            f"{str(index)!r},'--json']\nmain()")
    done = subprocess.run([python, "-X", "importtime", "-c", code], capture_output=True, text=True, env=env)
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((int(match.group(2)), int(match.group(1)), len(match.group(3)), match.group(4)))
    # Top-level and second-level packages only, so nested children do not double-count.
    rows = [r for r in rows if r[2] <= 3]
    rows.sort(reverse=True)
    return [(cumulative, own, ("  " if depth > 1 else "") + name) for cumulative, own, depth, name in rows[:top]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--persearch", default=shutil.which("persearch", path=str(Path(sys.executable).parent))
                        or "persearch")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    python = sys.executable
    env = {k: v for k, v in os.environ.items() if k not in ("PERSEARCH_INDEX", "PERSEARCH_BIDI")}
    env["NO_COLOR"] = "1"

    with tempfile.TemporaryDirectory(prefix="persearch-bench-") as tmp:
        index = Path(tmp) / "index"
        subprocess.run([args.persearch, "index", str(ROOT / "seeds"), "--index", str(index)],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        cases = {
            "python -c pass": [python, "-c", "pass"],
            "persearch --version": [args.persearch, "--version"],
            "persearch analyze": [args.persearch, "analyze", "رئیس‌جمهوری کتاب‌ها را خواند"],
            "persearch search": [args.persearch, "search", "رئیس جمهوری", "--index", str(index)],
            "persearch search --json": [args.persearch, "search", "داعش", "--index", str(index), "--json"],
        }
        for command in cases.values():  # warm the OS file cache and .pyc files once
            timed(command, env)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, command in cases.items():
                times[name].append(timed(command, env))

        base = statistics.median(times["python -c pass"])
        print(f"cold start, median of {args.runs} runs ({os.cpu_count()} cores)\n")
        print(f"{'command':<26}{'median ms':>10}{'min ms':>9}{'over python':>13}{'ratio':>8}")
        for name, values in times.items():
            median = statistics.median(values)
            print(f"{name:<26}{median:>10.1f}{min(values):>9.1f}{median - base:>+13.1f}{median / base:>8.2f}")
        search_over = statistics.median(times["persearch search"]) - base
        verdict = "OK" if search_over <= TARGET_MS else "OVER"
        print(f"\ntarget: search ≤ {TARGET_MS:.0f} ms above python -c pass → {search_over:.0f} ms ({verdict})")

        print("\nslowest imports during `persearch search --json` (python -X importtime, µs)")
        print(f"{'cumulative':>11}{'self':>9}  module")
        for cumulative, own, name in import_offenders(python, index, env, args.top):
            print(f"{cumulative:>11}{own:>9}  {name}")


if __name__ == "__main__":
    main()
