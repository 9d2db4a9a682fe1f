"""How fast does ``persearch`` start? Cold runs against bare Python, in one run.

    python benchmarks/bench_cli.py [--runs 10] [--persearch PATH]

Builds an index of ``seeds/`` in a temporary folder, then times (median of
``--runs`` fresh processes each, interleaved so that machine noise hits all
alike):

* ``python -c pass`` (the baseline),
* ``persearch --version``, ``persearch analyze``, and
* ``persearch search`` on the seeds index, piped and with ``--json``,

and prints each median, its overhead over the baseline and the ratio. Target:
a search ≤ 250 ms above bare Python (stretch: 150 ms). Then the breakdown:
``python -X importtime`` of a search, run several times, its minimum self
times summed by who needs them (persearch, Whoosh, the standard-library
modules Whoosh pulls in, typer), and the slowest modules.
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


def import_runs(python: str, index: Path, env: dict[str, str], runs: int) -> dict[str, tuple[int, int, int]]:
    """``python -X importtime`` of a search, ``runs`` times: module → (min self µs, min cumulative µs, depth)."""
    code = ("import sys\nfrom persearch.cli import main\nsys.argv=['persearch','search','داعش','--index',"
            f"{str(index)!r},'--json']\nmain()")
    best: dict[str, tuple[int, int, int]] = {}
    for _ in range(runs):
        done = subprocess.run([python, "-X", "importtime", "-c", code], capture_output=True, text=True, env=env)
        for line in done.stderr.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
            if match:
                own, cumulative, name = int(match.group(1)), int(match.group(2)), match.group(4)
                depth = len(match.group(3)) // 2
                old = best.get(name)
                best[name] = (own, cumulative, depth) if old is None else (min(old[0], own),
                                                                          min(old[1], cumulative), depth)
    return best


#: Who pulls a module in, for the breakdown: the first matching prefix wins.
GROUPS = (
    ("persearch", ("persearch", "__editable__")),
    ("whoosh", ("whoosh",)),
    # Whoosh used to pull in urllib.request and asyncio: persearch/whoosh_import.py keeps them out.
    ("stdlib: urllib, http, email, asyncio, hashlib, selectors …",
     ("urllib", "http", "email", "ssl", "_ssl", "socket", "asyncio", "cached_property", "ipaddress", "html",
      "mimetypes", "calendar", "base64", "quopri", "uu", "_hashlib", "hashlib", "selectors", "concurrent")),
    ("typer and click", ("typer", "click", "shellingham", "rich")),
    ("tantivy", ("tantivy",)),
)


def breakdown(modules: dict[str, tuple[int, int, int]]) -> list[tuple[str, float]]:
    """Import milliseconds (sums of minimum self times) by who needs them."""
    totals: dict[str, float] = {}
    for name, (own, _, _) in modules.items():
        group = next((label for label, prefixes in GROUPS if name.split(".")[0].startswith(prefixes)), "other")
        totals[group] = totals.get(group, 0.0) + own / 1000
    return sorted(totals.items(), key=lambda kv: -kv[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--persearch", default=shutil.which("persearch", path=str(Path(sys.executable).parent))
                        or "persearch")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    python = sys.executable
    # Without PYTHONDONTWRITEBYTECODE: the warm-up run writes persearch's .pyc files, as a
    # user's first run does (with it set, every run compiles persearch's modules again: +30–50 ms).
    env = {k: v for k, v in os.environ.items()
           if k not in ("PERSEARCH_INDEX", "PERSEARCH_BIDI", "PYTHONDONTWRITEBYTECODE")}
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

        modules = import_runs(python, index, env, max(3, args.runs // 2))
        print(f"\nimports of `persearch search --json` (python -X importtime, minimum of "
              f"{max(3, args.runs // 2)} runs, self times summed), ms:")
        groups = breakdown(modules)
        for label, ms in groups:
            print(f"{ms:8.1f}  {label}")
        print(f"{sum(ms for _, ms in groups):8.1f}  all imports; the rest of the {search_over:.0f} ms above bare "
              f"Python is opening the index, the search and the output")
        print(f"\nslowest modules (minimum self µs, cumulative µs)")
        print(f"{'cumulative':>11}{'self':>9}  module")
        top = sorted(modules.items(), key=lambda kv: -kv[1][0])[:args.top]
        for name, (own, cumulative, depth) in top:
            print(f"{cumulative:>11}{own:>9}  {'  ' * min(depth, 3)}{name}")


if __name__ == "__main__":
    main()
