"""``persearch serve`` as a real process on a loopback port: what it binds, what it
answers in parallel and to bad requests, and how it stops.
"""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")
pytest.importorskip("uvicorn", reason="the web extra is not installed")

from web_helpers import Server, build_index, cli_json, run_cli, serving, write_corpus  # noqa: E402

QUERIES = ["رئیس جمهوری", "کتاب", "درخت", "علی", "hdvhk", "\"رئیس جمهوری\"", "کتاب OR درخت", "روحانب"]


@pytest.fixture(scope="module")
def location(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Path:
    root = tmp_path_factory.mktemp("serve")
    return build_index(write_corpus(root / "docs"), root / "index", backend)


@pytest.fixture(scope="module")
def server(location: Path):
    yield from serving("--index", str(location), "--port", "0")


def listening_addresses(port: int) -> set[str]:
    """The local addresses of TCP sockets listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                found.add(socket.inet_ntop(socket.AF_INET if width == 8 else socket.AF_INET6, words))
    return found


def test_listens_on_loopback_only_by_default(server: Server) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    if Path("/proc/net/tcp").exists():
        assert listening_addresses(server.port) == {"127.0.0.1"}
    assert not any("warning" in line for line in server.lines)


@pytest.mark.parametrize("query", QUERIES)
def test_api_answers_the_same_ids_as_the_cli(server: Server, location: Path, query: str) -> None:
    status, data = server.get_json("/api/search?" + urlencode({"q": query, "limit": 20}))
    want = cli_json("search", query, "--index", str(location), "--limit", "20")
    assert status == 200
    assert [hit["id"] for hit in data["hits"]] == [hit["id"] for hit in want["hits"]]
    assert (data["total"], data["suggestion"]) == (want["total"], want["suggestion"])


def test_64_parallel_requests_all_succeed(server: Server, location: Path) -> None:
    paths = [f"/api/search?{urlencode({'q': QUERIES[n % len(QUERIES)], 'limit': 5})}" if n % 4 else
             f"/?{urlencode({'q': QUERIES[n % len(QUERIES)]})}" for n in range(64)]
    expected = {query: [hit["id"] for hit in cli_json("search", query, "--index", str(location), "-n", "5")["hits"]]
                for query in QUERIES}
    with ThreadPoolExecutor(64) as pool:
        answers = list(pool.map(server.get, paths))
    assert [status for status, _, _ in answers] == [200] * 64
    for n, (_, headers, body) in enumerate(answers):
        if n % 4:
            assert [hit["id"] for hit in json.loads(body)["hits"]] == expected[QUERIES[n % len(QUERIES)]]
        else:
            assert headers["content-type"].startswith("text/html") and b'dir="rtl"' in body


def test_the_page_is_rtl_with_a_form_and_highlights(server: Server) -> None:
    status, headers, body = server.get("/?" + urlencode({"q": "رئیس جمهوری"}))
    page = body.decode("utf-8")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="fa" dir="rtl">' in page and '<form class="search" role="search"' in page
    assert "<mark>رئیس</mark>" in page or "<mark>رئیس\u200cجمهوری</mark>" in page


def test_bad_requests_get_4xx_and_the_server_keeps_running(server: Server) -> None:
    for path in ("/api/search", "/api/search?q=", "/api/search?q=a&limit=0", "/api/search?q=a&limit=x",
                 "/api/search?q=%FF", "/api/search?q=a&page=99999999", "/api/analyze?text=a&stemmer=porter",
                 "/api/search?" + urlencode({"q": "ک" * 12_000}), "/api/nothing", "/api/documents/nowhere"):
        status, headers, body = server.get(path)
        assert 400 <= status < 500, (path, status)
        assert "error" in json.loads(body)
    assert server.get("/api/stats")[0] == 200


def raw_request(server: Server, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(request)  # with "Connection: close": the server closes after its answer
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("request_line", [
    b"GET /api/search?q=\xff\xfe HTTP/1.1",                 # raw bytes that are not UTF-8
    b"GET /api/search?q=" + "کتاب".encode() + b" HTTP/1.1",  # raw UTF-8, not percent-encoded
    b"GET /api/search?q=" + b"a" * 70_000 + b" HTTP/1.1",     # longer than any request line should be
    b"GET /static/../../../../etc/passwd HTTP/1.1",
    b"GET /static/..%2f..%2f..%2f..%2fetc%2fpasswd HTTP/1.1",
    b"GET \xff HTTP/1.1",
    b"BREW /api/search?q=a HTTP/1.1",
])
def test_raw_requests_never_crash_or_leak(server: Server, request_line: bytes) -> None:
    answer = raw_request(server, request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 4"), answer[:200] and b"root:" not in answer and b"Traceback" not in answer
    assert server.get("/api/stats")[0] == 200


def test_path_traversal_gets_nothing(server: Server) -> None:
    for path in ("/static/../../../../etc/passwd", "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
                 "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static/" + quote("/etc/passwd", safe=""),
                 "/..%2F..%2F..%2Fetc%2Fpasswd", "/api/documents/" + quote("/etc/passwd", safe=""),
                 "/api/documents/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/document?id=%2Fetc%2Fpasswd"):
        status, _, body = server.get(path)
        assert status in (400, 404), path
        assert b"root:" not in body


def test_sigterm_and_ctrl_c_stop_cleanly(location: Path) -> None:
    for number in (signal.SIGTERM, signal.SIGINT):
        server = Server("--index", str(location), "--port", "0")
        assert server.get("/api/stats")[0] == 200
        code, rest = server.stop(number)
        assert code == 0, rest
        assert rest.strip().splitlines() == ["persearch: stopped"]
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", server.port), timeout=5).close()


def test_another_interface_needs_host_and_warns(location: Path) -> None:
    server = Server("--index", str(location), "--port", "0", "--host", "0.0.0.0")
    try:
        warning = next(line for line in server.lines if "warning" in line)
        assert "0.0.0.0" in warning and "can read every document in the index" in warning
        assert listening_addresses(server.port) == {"0.0.0.0"} or not Path("/proc/net/tcp").exists()
    finally:
        server.stop()


def test_a_port_in_use_and_a_missing_index_are_one_line(server: Server, tmp_path: Path) -> None:
    for args, fragment in [(("--port", str(server.port), "--index", str(server_index(server))), "port"),
                           (("--index", str(tmp_path / "none"), "--port", "0"), "no index at")]:
        done = run_cli("serve", *args)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1 and len(lines) == 1 and fragment in lines[0], done.stderr
        assert "Traceback" not in done.stderr


def server_index(server: Server) -> str:
    return server.process.args[server.process.args.index("--index") + 1]


def test_a_missing_extra_is_one_line_naming_it(location: Path) -> None:
    code = ("import sys\nsys.modules['uvicorn'] = None\nfrom persearch.cli import main\n"
            f"main(['serve', '--index', {str(location)!r}])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and "persearch[web]" in lines[0], done.stderr


def test_the_listening_socket_is_tcp_so_answers_are_not_held_back() -> None:
    # asyncio sets TCP_NODELAY on accepted connections only when the listening socket's proto
    # is TCP; without it each answer's body waits for the client's delayed ACK (~40 ms).
    from persearch.web.server import bind, is_loopback

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP and is_loopback(sock.getsockname()[0])
    finally:
        sock.close()
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and is_loopback("::1")
    assert is_loopback("::ffff:127.0.0.1") and not is_loopback("192.168.1.2")
