"""``persearch serve`` under load, against the same query through the library, in one run.

    python benchmarks/bench_serve.py ../shared/data/news.jsonl.gz [--limit 4108] [--requests 400]
                                     [--clients 1,4,16] [--query "رئیس جمهوری"] [--no-tantivy]

For each backend: builds a persearch index of the corpus (JSON lines,
optionally gzipped, ``{"id", "title", "text"}``) in a temporary folder, then

* times the library: ``index.search(query, limit=10)`` plus encoding the
  answer as the API does (``json.dumps(results_json(...))``), ``--requests``
  times (each query in turn);
* starts ``persearch serve --index … --port 0`` (a real process, loopback
  only) and sends the same queries to ``/api/search`` from N client threads,
  each on its own keep-alive connection: ``--requests`` requests in all for
  each N in ``--clients``, and never longer than ``--max-seconds``.

It prints p50/p95 latency, requests/s and CPU milliseconds per request (of
this process for the library, of the server process for HTTP: less disturbed
by other load than wall time) of every row, and each p50 minus the library's. Target: with one client, p50 within 2 ms of the library call plus
its JSON encoding. With several clients, latency includes waiting for a
worker (Whoosh reads one at a time, see persearch/web/shared.py).
"""
from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from persearch import Index  # noqa: E402
from persearch.shapes import results_json  # noqa: E402

from bench_query import read_docs  # noqa: E402  (this folder is on sys.path: the script's own)

EXE = Path(sys.executable).with_name("persearch")
TARGET_MS = 2.0
DEFAULT_QUERIES = ["رئیس جمهوری", "تیم ملی فوتبال", "قیمت نفت"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def library_times(location: Path, queries: list[str], requests: int) -> tuple[list[float], float, float]:
    """Per-call milliseconds of search + JSON encoding, calls per second, CPU ms per call."""
    with Index.open(location) as index:
        for query in queries:  # warm: searchers opened, spelling tables built
            json.dumps(results_json(query, index.search(query, limit=10)), ensure_ascii=False)
        times = []
        started, cpu = time.perf_counter(), time.process_time()
        for n in range(requests):
            query = queries[n % len(queries)]
            t = time.perf_counter()
            json.dumps(results_json(query, index.search(query, limit=10)), ensure_ascii=False)
            times.append((time.perf_counter() - t) * 1000)
        elapsed = time.perf_counter() - started
        return times, requests / elapsed, (time.process_time() - cpu) * 1000 / requests


def start_server(location: Path) -> tuple[subprocess.Popen, str, int]:
    server = subprocess.Popen([str(EXE), "serve", "--index", str(location), "--port", "0"],
                              stderr=subprocess.PIPE, text=True)
    line = server.stderr.readline()
    found = re.search(r"at http://([\d.]+):(\d+)/ ", line)
    if not found:
        server.kill()
        raise SystemExit(f"persearch serve did not start: {line.strip()}")
    return server, found.group(1), int(found.group(2))


def http_times(server: subprocess.Popen, host: str, port: int, queries: list[str], requests: int, clients: int,
               max_seconds: float) -> tuple[list[float], float, int, float]:
    """Per-request milliseconds, requests per second, requests that failed, and the
    server's CPU milliseconds per request."""
    paths = [f"/api/search?{urlencode({'q': q, 'limit': 10})}" for q in queries]
    times: list[float] = []
    failures = [0]
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.perf_counter() + max_seconds

    def client() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        mine = []
        try:
            for n in counter:  # shared iterator: `requests` in all (next() on it is atomic enough under the GIL)
                if time.perf_counter() > deadline:
                    break
                t = time.perf_counter()
                connection.request("GET", paths[n % len(paths)])
                response = connection.getresponse()
                response.read()
                mine.append((time.perf_counter() - t) * 1000)
                if response.status != 200:
                    with lock:
                        failures[0] += 1
        finally:
            connection.close()
            with lock:
                times.extend(mine)

    for path in paths:  # warm the server, as the library was warmed
        warm = http.client.HTTPConnection(host, port, timeout=60)
        warm.request("GET", path)
        warm.getresponse().read()
        warm.close()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    started, cpu = time.perf_counter(), cpu_seconds(server.pid)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu_ms = (cpu_seconds(server.pid) - cpu) * 1000 / max(1, len(times))
    return times, len(times) / (time.perf_counter() - started), failures[0], cpu_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="documents to index (0: all)")
    parser.add_argument("--requests", type=int, default=400, help="requests (and library calls) per row")
    parser.add_argument("--clients", default="1,4,16", help="client thread counts, comma-separated")
    parser.add_argument("--query", action="append", help="a query (repeatable); default: three news queries")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="time bound of one row")
    parser.add_argument("--no-tantivy", action="store_true")
    args = parser.parse_args()
    queries = args.query or DEFAULT_QUERIES
    clients = [int(n) for n in args.clients.split(",")]
    backends = ["whoosh"] + ([] if args.no_tantivy else ["tantivy"])
    with tempfile.TemporaryDirectory() as folder:
        docs = read_docs(args.corpus, args.limit)
        print(f"## {args.corpus.name}: {len(docs)} documents; queries {queries}; {args.requests} requests a row; "
              f"limit 10 with snippets")
        for backend in backends:
            with Index.create(Path(folder) / backend, backend=backend) as index:
                index.add_documents(docs)
        # The server process does not hold the corpus: neither may this one, whose garbage
        # collections would otherwise walk it during the library's timings.
        del docs
        gc.collect()
        print(f"{'backend':8} {'how':18} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'CPU ms':>8} {'p50 − library':>14}")
        for backend in backends:
            location = Path(folder) / backend
            base, rate, cpu_ms = library_times(location, queries, args.requests)
            base_p50 = statistics.median(base)
            print(f"{backend:8} {'library + JSON':18} {base_p50:8.2f} {percentile(base, 95):8.2f} {rate:8.0f} "
                  f"{cpu_ms:8.2f}")
            server, host, port = start_server(location)
            try:
                for n in clients:
                    times, rate, failed, cpu_ms = http_times(server, host, port, queries, args.requests, n,
                                                             args.max_seconds)
                    p50 = statistics.median(times)
                    note = f" ({failed} failed)" if failed else ""
                    print(f"{backend:8} {f'HTTP, {n} client' + ('s' if n > 1 else ''):18} {p50:8.2f} "
                          f"{percentile(times, 95):8.2f} {rate:8.0f} {cpu_ms:8.2f} {p50 - base_p50:+14.2f}{note}")
            finally:
                server.terminate()
                server.wait(30)
    print(f"\ntarget: with 1 client, p50 − library ≤ {TARGET_MS:.0f} ms")


if __name__ == "__main__":
    main()
