"""The ASGI application: the JSON API and the search page over one open index.

Routes (docs/cli.md, *persearch serve*, describes the answers):

* ``GET /api/search?q=…&limit=&page=&fields=`` — ``persearch search --json``'s
  shape, plus ``limit`` and ``message``;
* ``GET /api/analyze?text=…&stemmer=&keep_stopwords=`` — ``analyze --json``;
* ``GET /api/documents/{id}`` — a document's stored fields;
* ``GET /api/stats`` — ``stats --json``;
* ``GET /`` and ``GET /document?id=…&q=…`` — the pages; ``GET /static/NAME``.

Every index read runs in a worker thread through :class:`SharedIndex`, so
the event loop only parses and answers. Errors are JSON ``{"error": …}``
(HTML on the pages) with a 4xx status for bad input; a fault of the server
is a 500 whose body says nothing of its insides (the log has the traceback).
"""
from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import logging
import os
from importlib import resources
from typing import Any, AsyncIterator, Callable, Mapping
from urllib.parse import urlencode

from anyio import to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import analyze
from ..errors import InvalidOption, MissingExtra, PersearchError, QueryError
from ..shapes import results_json, stats_json, tokens_json
from . import page
from .params import KEPT_IN_LINKS, BadRequest, analyze_arguments, one, parse_query_string, quoted, search_arguments
from .shared import SharedIndex

log = logging.getLogger("persearch.web")

_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2"}
#: The pages load nothing but their own files: an injected <script> could not run.
_SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
                                 b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class _API:
    """The handlers, sharing one index."""

    def __init__(self, shared: SharedIndex) -> None:
        self.shared = shared

    # -- JSON --------------------------------------------------------------
    async def search(self, request: Request) -> Response:
        query, options = search_arguments(parse_query_string(request.scope["query_string"]))
        return JSONResponse(await self._read(lambda index: _search_data(index, query, options)))

    async def analyze(self, request: Request) -> Response:
        text, options = analyze_arguments(parse_query_string(request.scope["query_string"]))
        return JSONResponse(await to_thread.run_sync(lambda: tokens_json(text, analyze(text, **options))))

    async def document(self, request: Request) -> Response:
        _no_parameters(request)
        doc_id = request.path_params["id"]
        stored = await self._read(lambda index: index.document(doc_id))
        if stored is None:
            return _error(404, f"no document with id {quoted(doc_id, 200)} in the index")
        return JSONResponse(json.loads(json.dumps(stored, default=str)))

    async def stats(self, request: Request) -> Response:
        _no_parameters(request)
        return JSONResponse(await self._read(lambda index: stats_json(index.stats())))

    # -- pages -------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        params = parse_query_string(request.scope["query_string"])
        query = "".join(params.get("q", [])[:1])
        if not query.strip() and set(params) <= {"q"}:
            return await self.page(request, "جستجو · persearch", page.welcome_html)
        query, options = search_arguments(params)
        links = {name: values for name, values in params.items() if name in KEPT_IN_LINKS}
        data, documents = await self._read(lambda index: (_search_data(index, query, options, titles=True),
                                                          len(index)))
        body = page.results_html(data, links=links, document_url=request.url_for("document").path)
        return await self.page(request, f"{query} · جستجو", lambda _: body, query=query, status=page.summary(data),
                               documents=documents, kept=links)

    async def document_page(self, request: Request) -> Response:
        params = parse_query_string(request.scope["query_string"])
        doc_id, query = one_value(params, "id"), one_value(params, "q", required=False)

        def gather(index: Any) -> tuple[dict[str, Any] | None, list[Any], int]:
            stored = index.document(doc_id)
            if stored is None or not query.strip():
                return stored, [], len(index)
            found = index.search(query, limit=1, id=doc_id)  # the same query, on this document alone
            return stored, (found.hits[0].matches if found.hits else []), len(index)

        stored, matches, documents = await self._read(gather)
        if stored is None:
            return await self.page(request, "سند پیدا نشد · persearch",
                                   lambda _: page.not_found_html("این سند در نمایه نیست."), query=query, code=404,
                                   documents=documents)
        back = request.url_for("home").path + ("?" + urlencode({"q": query}) if query else "")
        title = str(stored.get("title") or doc_id)
        return await self.page(request, f"{title} · persearch", lambda _: page.document_html(stored, matches, back),
                               query=query, documents=documents)

    async def page(self, request: Request, title: str, body: Callable[[int], str], *, query: str = "",
                   status: str = "", code: int = 200, documents: int | None = None,
                   kept: page.Links | None = None) -> HTMLResponse:
        """A whole page around ``body(number of documents)`` (counted now unless given)."""
        if documents is None:
            documents = await self._read(len)
        urls = {"home": request.url_for("home").path, "css": request.url_for("static", name="style.css").path,
                "js": request.url_for("static", name="search.js").path}
        text = page.document(title, body(documents), query=query, documents=documents, status=status, kept=kept,
                             **urls)
        return HTMLResponse(text, status_code=code)

    async def _read(self, work: Callable[[Any], Any]) -> Any:
        return await to_thread.run_sync(self.shared.read, work)


def _search_data(index: Any, query: str, options: Mapping[str, Any], *, titles: bool = False) -> dict[str, Any]:
    """The answer of /api/search (the CLI's shape, plus limit and message), as plain data;
    with ``titles``, each hit's title highlights too (for the page)."""
    results = index.search(query, **options)
    data = results_json(query, results)
    data["limit"] = results.limit
    if titles:
        for shown, hit in zip(data["hits"], results.hits):
            shown["title_highlights"] = [list(span) for span in hit.title_highlights]
    return data


def one_value(params: Mapping[str, list[str]], name: str, *, required: bool = True) -> str:
    """The value of a page parameter given at most once ("" when absent and not required)."""
    if name not in params:
        if required:
            raise BadRequest(f"missing parameter {name}")
        return ""
    return one(name, params[name])


def _no_parameters(request: Request) -> None:
    params = parse_query_string(request.scope["query_string"])
    if params:
        raise BadRequest(f"this address takes no parameters (got {', '.join(sorted(params))})")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(f"{request.scope.get('root_path', '')}/api/")


async def _bad_request(request: Request, problem: Exception) -> Response:
    if not isinstance(problem, BadRequest):  # the library's word for bad input
        problem = BadRequest(str(problem))
    if _wants_json(request):
        return _error(problem.status, problem.message)
    query = request.query_params.get("q", "")
    return await request.app.state.api.page(request, "درخواست نامعتبر · persearch",
                                            lambda _: page.error_html(problem.message), query=query,
                                            code=problem.status)


async def _unavailable(request: Request, error: Exception) -> Response:
    """The index itself failed (gone, rebuilt by an incompatible persearch, unreadable)."""
    log.error("the index cannot be read: %s", error)
    return _error(503, f"the index cannot be read now: {' '.join(str(error).split())}")


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    reason = {404: "not found", 405: "method not allowed"}.get(error.status_code, str(error.detail))
    if _wants_json(request) or error.status_code != 404:
        return _error(error.status_code, f"{reason}: {request.method} {request.url.path}")
    return await request.app.state.api.page(request, "پیدا نشد · persearch",
                                            lambda _: page.not_found_html("این صفحه وجود ندارد."), code=404)


async def _server_error(request: Request, error: Exception) -> Response:
    return _error(500, "internal error (the server log has the details)")


class _StaticFiles:
    """The files of ``persearch/web/static``, read once; no name outside that list is served,
    so no URL can reach another file, whatever it spells."""

    def __init__(self) -> None:
        folder = resources.files(__package__).joinpath("static")
        self.files: dict[str, tuple[bytes, str, str]] = {}
        for entry in folder.iterdir():
            kind = _STATIC_TYPES.get(os.path.splitext(entry.name)[1])
            if kind and entry.is_file():
                body = entry.read_bytes()
                self.files[entry.name] = (body, kind, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')

    async def respond(self, request: Request) -> Response:
        found = self.files.get(request.path_params["name"])
        if found is None:
            raise HTTPException(404)
        body, kind, etag = found
        headers = {"etag": etag, "cache-control": "no-cache"}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=kind, headers=headers)


class _Guard:
    """Security headers on every answer; with ``loopback_only``, requests must name
    this machine in their Host header (a web page that rebinds its own DNS name
    to 127.0.0.1 gets no answer: its Host is its own name)."""

    def __init__(self, app: ASGIApp, loopback_only: bool) -> None:
        self.app = app
        self.loopback_only = loopback_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.loopback_only and not _local_host(dict(scope["headers"]).get(b"host", b"")):
            response = _error(421, "this server answers requests for localhost only")
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _local_host(header: bytes) -> bool:
    """``localhost``, ``*.localhost`` or a loopback address, with any port."""
    host = header.decode("latin-1").strip().lower()
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def app(index: Any, *, loopback_only: bool = False) -> Starlette:
    """The ASGI application serving ``index`` (an open :class:`persearch.Index`,
    or the path of one, which is then opened now and closed when the app stops).

    ``loopback_only``: answer only requests addressed to localhost (what
    ``persearch serve`` sets when it listens on a loopback address).

    The app reads the index from its worker threads through a
    :class:`~persearch.web.shared.SharedIndex`; while it runs, other threads
    of the program should not read the same ``Index`` object directly (a
    Whoosh searcher cannot be read by two threads at once).

    >>> from persearch.web import app                                    # doctest: +SKIP
    >>> application = app(Index.open("نمایه"))      # then: uvicorn.run(application)
    """
    owned = not hasattr(index, "search")
    if owned:
        from ..index import Index

        index = Index.open(index)
    api = _API(SharedIndex(index))
    static = _StaticFiles()

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owned:
                index.close()

    routes = [
        Route("/", api.home, name="home"),
        Route("/document", api.document_page, name="document"),
        Route("/api/search", api.search, name="api_search"),
        Route("/api/analyze", api.analyze, name="api_analyze"),
        Route("/api/documents/{id:path}", api.document, name="api_document"),
        Route("/api/stats", api.stats, name="api_stats"),
        Route("/static/{name}", static.respond, name="static"),
    ]
    handlers = {BadRequest: _bad_request, InvalidOption: _bad_request, QueryError: _bad_request,
                MissingExtra: _bad_request, PersearchError: _unavailable, OSError: _unavailable,
                HTTPException: _http_error, Exception: _server_error}
    application = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)  # type: ignore[arg-type]
    application.add_middleware(_Guard, loopback_only=loopback_only)  # type: ignore[arg-type]
    application.state.index = index
    application.state.api = api
    return application


__all__ = ["app"]
