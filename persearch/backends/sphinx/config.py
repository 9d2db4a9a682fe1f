"""Where the Sphinx nodes are, and the ``searchd`` configuration persearch writes for them.

No engine or client is imported here: ``persearch cluster config`` and the
local cluster (:mod:`persearch.cluster`) use this module without pymysql.

A node is addressed by its SphinxQL port (``HOST:PORT``); its searchd also
listens on an API port (``HOST:PORT:APIPORT``, by default PORT + 6, Sphinx's
own 9306/9312 pair), the one other nodes' distributed index talks to.

    >>> parse_nodes("127.0.0.1:9306,127.0.0.1:9307")[1].api_port
    9313
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterable

from ...errors import InvalidOption

#: The real-time index holding every persearch document on a node, and the
#: distributed index that searches it on every node at once.
RT_INDEX = "persearch"
DIST_INDEX = "persearch_all"
#: Full-text fields: title and body carry the analyzer's terms at their
#: positions, tstack and bstack the terms stacked on another's position (a
#: bag of words: persearch/backends/sphinx/documents.py); ``every`` holds
#: the term :data:`EVERY_TERM` in every document (Sphinx cannot run a query
#: made only of NOT: ``-word`` runs as ``@every all -word``); ``filt`` holds
#: one hashed term per raw stored value (id, path, format, encoding).
FIELDS = ("title", "body", "tstack", "bstack", "every", "filt")
EVERY_TERM = "all"
#: Typed record fields (keyword, number, date) live in slots: slot ``i`` is
#: the attributes ``v{i}`` (every value of the field, as 64-bit integers:
#: filters, facets, sorting), ``d{i}`` (a date field's values as days:
#: facets by day) and ``s{i}`` (a keyword field's value as text: sorting).
#: The schema of an RT index is fixed in its configuration, so the slots are
#: declared up front (an unused one costs a few bytes a row); a field past
#: the last slot stays untyped metadata (persearch/backends/sphinx/values.py).
TYPED_SLOTS = 16
#: Distance from a node's SphinxQL port to its API port when not given.
API_PORT_OFFSET = 6
#: Sphinx splits words at characters outside its charset table. Terms reach
#: it already analyzed and joined by single spaces, so every character a
#: term may hold is a word character: ASCII letters (not folded: the
#: analyzer already folded what it means to), digits, ``_``, the ``.`` of
#: decimal numbers, and everything above U+007F that Sphinx accepts (up to
#: U+2FFFF), ZWNJ included. ASCII punctuation stays out: those characters are
#: Sphinx's query operators.
CHARSET_TABLE = "U+2E, U+30..U+39, U+41..U+5A, U+5F, U+61..U+7A, U+80..U+2FFFF"
#: The highest code point the charset table can hold (Sphinx 2.2 clamps at it).
MAX_CHARSET_CODE = 0x2FFFF
#: Milliseconds a distributed query waits for another node before it
#: answers without it (and says so in SHOW META).
AGENT_CONNECT_TIMEOUT_MS = 1000
AGENT_QUERY_TIMEOUT_MS = 3000

_HOST = re.compile(r"^[A-Za-z0-9._\-]+$")


@dataclass(frozen=True)
class Node:
    """One searchd: ``host:port`` for SphinxQL, ``api_port`` for other nodes' agents."""

    host: str
    port: int
    api_port: int

    @property
    def address(self) -> str:
        """``HOST:PORT``, or ``HOST:PORT:APIPORT`` when the API port is not PORT + 6."""
        if self.api_port == self.port + API_PORT_OFFSET:
            return f"{self.host}:{self.port}"
        return f"{self.host}:{self.port}:{self.api_port}"

    @property
    def sql(self) -> str:
        """``HOST:PORT`` of the SphinxQL listener."""
        return f"{self.host}:{self.port}"


def parse_nodes(spec: str | Iterable[str]) -> list[Node]:
    """Nodes from ``"HOST:PORT[:APIPORT],…"`` (or a list of such items); one clear error if malformed."""
    items = [part.strip() for part in (spec.split(",") if isinstance(spec, str) else spec)]
    items = [item for part in items for item in part.split(",") if item.strip()]
    if not items:
        raise InvalidOption("no Sphinx nodes given: use HOST:PORT[,HOST:PORT...] (SphinxQL ports)")
    nodes = []
    for item in items:
        parts = item.strip().split(":")
        if len(parts) not in (2, 3) or not _HOST.match(parts[0]) or not all(p.isdigit() for p in parts[1:]):
            raise InvalidOption(f"bad Sphinx node {item.strip()!r}: use HOST:PORT or HOST:PORT:APIPORT")
        port = int(parts[1])
        api = int(parts[2]) if len(parts) == 3 else port + API_PORT_OFFSET
        if not (0 < port < 65536 and 0 < api < 65536) or port == api:
            raise InvalidOption(f"bad Sphinx node {item.strip()!r}: ports are 1-65535, SphinxQL and API ports differ")
        nodes.append(Node(parts[0], port, api))
    if len({n.sql for n in nodes}) != len(nodes):
        raise InvalidOption("a Sphinx node is named twice")
    return nodes


def node_config(nodes: list[Node], me: int, folder: str, *, listen_host: str | None = None) -> str:
    """The ``searchd`` configuration of node ``me``: its RT index, the distributed
    index over every node, and its daemon settings (files under ``folder``).

    ``listen_host``: the address to bind (default: the node's own host).
    Sphinx has no authentication or TLS: bind 127.0.0.1 or a private network.
    """
    node = nodes[me]
    data = os.path.join(folder, "data")
    agents = "".join(f"    agent = {other.host}:{other.api_port}:{RT_INDEX}\n"
                     for i, other in enumerate(nodes) if i != me)
    bind = listen_host or node.host
    fields = "".join(f"    rt_field = {name}\n" for name in FIELDS)
    slots = "".join(f"    rt_attr_multi_64 = v{i}\n    rt_attr_multi_64 = d{i}\n    rt_attr_string = s{i}\n"
                    for i in range(TYPED_SLOTS))
    return f"""# persearch node {me} of {len(nodes)} ({node.address}); written by persearch
index {RT_INDEX}
{{
    type = rt
    path = {os.path.join(data, RT_INDEX)}
{fields}    rt_attr_bigint = ns
    rt_attr_bigint = gen
    rt_attr_bigint = seq
    rt_attr_uint = tlen
    rt_attr_uint = blen
{slots}    dict = keywords
    min_word_len = 1
    min_prefix_len = 1
    index_field_lengths = 1
    charset_table = {CHARSET_TABLE}
    rt_mem_limit = 256M
}}

index {DIST_INDEX}
{{
    type = distributed
    local = {RT_INDEX}
{agents}    agent_connect_timeout = {AGENT_CONNECT_TIMEOUT_MS}
    agent_query_timeout = {AGENT_QUERY_TIMEOUT_MS}
}}

searchd
{{
    listen = {bind}:{node.port}:mysql41
    listen = {bind}:{node.api_port}
    log = {os.path.join(folder, "searchd.log")}
    query_log = {os.path.join(folder, "query.log")}
    pid_file = {os.path.join(folder, "searchd.pid")}
    binlog_path = {os.path.join(folder, "binlog")}
    workers = threads
    watchdog = 0
    read_timeout = 5
    client_timeout = 300
    # Strings (a keyword sort) compare as bytes: code point order, as the other backends sort.
    collation_server = binary
}}
"""
