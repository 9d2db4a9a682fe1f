"""``persearch serve``: uvicorn on a socket bound here, stopped cleanly by Ctrl-C or SIGTERM.

The socket is bound before uvicorn starts, so a port in use or an address
this machine does not have is one line (:class:`~persearch.errors.PersearchError`),
``--port 0`` can be given (the line printed names the port chosen), and the
address actually bound decides whether to warn: anything but a loopback
address makes the whole index readable by whoever can reach the machine.

uvicorn runs in a thread of its own; the main thread keeps the signals. On
SIGINT or SIGTERM it asks uvicorn to stop (requests under way are finished,
for at most :data:`GRACE_SECONDS`), then returns normally so the caller
closes the index. A second Ctrl-C stops at once.
"""
from __future__ import annotations

import ipaddress
import signal
import socket
import sys
import threading
from typing import IO, Any

import uvicorn

from ..errors import PersearchError
from .application import app

#: How long requests under way may take to finish once a stop is asked for.
GRACE_SECONDS = 5


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (IPv6 when ``host`` has a colon)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto named: asyncio sets TCP_NODELAY only on sockets whose proto is TCP, and without it
    # Nagle's algorithm holds a response's body until the client's delayed ACK (40 ms a request).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        reason = error.strerror or str(error)
        hint = "; choose another with --port" if error.errno in (98, 48) else ""  # EADDRINUSE (Linux, macOS)
        raise PersearchError(f"cannot listen on {host} port {port}: {reason}{hint}") from None
    return sock


def is_loopback(address: str) -> bool:
    """``127.0.0.1``, ``::1`` and the rest of the loopback range; not ``0.0.0.0`` or ``::``."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))


def url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(index: Any, host: str = "127.0.0.1", port: int = 8000, *, out: IO[str] | None = None) -> None:
    """Serve the open ``index`` on ``host:port`` until Ctrl-C or SIGTERM.

    Lines about the server (where it listens, the warning, the stop) go to
    ``out`` (stderr by default).
    """
    out = sys.stderr if out is None else out
    sock = bind(host, port)
    loopback = is_loopback(sock.getsockname()[0])
    application = app(index, loopback_only=loopback)
    config = uvicorn.Config(application, log_level="warning", access_log=False, server_header=False,
                            lifespan="on", timeout_graceful_shutdown=GRACE_SECONDS)
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as error:  # noqa: BLE001 - handed to the main thread
            failure.append(error)

    if not loopback:
        where = sock.getsockname()[0]
        print(f"persearch: warning: listening on {where}, not only on this machine: anyone who can reach it "
              f"on port {sock.getsockname()[1]} can read every document in the index", file=out, flush=True)
    # Read before the server thread starts: from then on the index is read through the app only.
    started = (f"persearch: serving {index.root} ({len(index)} documents, {index.backend_name}) at {url(sock)} "
               f"· Ctrl-C stops")
    thread = threading.Thread(target=run, name="persearch-serve", daemon=True)
    previous = _catch_signals(server)
    try:
        thread.start()
        print(started, file=out, flush=True)
        while thread.is_alive():
            thread.join(0.25)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        server.should_exit = True
        thread.join(GRACE_SECONDS + 1)
        sock.close()
    if failure:
        raise failure[0]
    if not server.started:
        raise PersearchError("the server did not start (see the lines above)")
    print("persearch: stopped", file=out, flush=True)


def _catch_signals(server: uvicorn.Server) -> dict[int, Any]:
    """SIGINT and SIGTERM ask ``server`` to stop (a second one: at once); the old handlers, to restore."""
    if threading.current_thread() is not threading.main_thread():
        return {}  # embedded in another thread: the host program stops it (server.should_exit)

    def stop(number: int, frame: Any) -> None:
        if server.should_exit:
            server.force_exit = True
        server.should_exit = True

    return {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}


__all__ = ["serve", "bind", "is_loopback", "GRACE_SECONDS"]
