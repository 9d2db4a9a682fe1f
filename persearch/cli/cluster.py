"""``persearch cluster up/down/config``: local Sphinx nodes, and the configuration for real ones.

A thin layer over :mod:`persearch.cluster` (imported when a command runs).

    $ persearch cluster up /tmp/nodes --nodes 2
    127.0.0.1:9306,127.0.0.1:9307
    $ persearch index news/ --index ix --backend sphinx --nodes 127.0.0.1:9306,127.0.0.1:9307
    $ persearch cluster down /tmp/nodes
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from . import output

cluster_app = typer.Typer(
    name="cluster",
    help="Local Sphinx nodes for the sphinx backend: start, stop, or print a configuration.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@cluster_app.command("up", help="Start N searchd nodes on 127.0.0.1 in DIR (again: restart those not running).")
def up_command(
    folder: Path = typer.Argument(..., metavar="DIR", help="Folder for the nodes' configuration, data and pids."),
    nodes: Optional[int] = typer.Option(None, "--nodes", "-n", min=1, max=64,
                                        help="Number of nodes of a new cluster [default: 2]."),
    port: Optional[int] = typer.Option(None, "--port", min=1, max=65535,
                                       help="SphinxQL port of the first node of a new cluster [default: 9306]."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: the nodes, their pids and configurations."),
) -> None:
    """Start the nodes; print their addresses (the value for --nodes)."""
    from ..cluster import up

    cluster = up(folder, nodes=nodes, port=port)
    if as_json:
        output.write_json(cluster.to_dict())
        return
    started = len(cluster.started)
    print(f"persearch: {len(cluster.nodes)} searchd node(s) answering in {cluster.folder} "
          f"({started} started, pids {', '.join(str(p) for p in cluster.pids)})", file=sys.stderr)
    sys.stdout.write(",".join(cluster.addresses) + "\n")


@cluster_app.command("down", help="Stop the searchd processes recorded in DIR.")
def down_command(
    folder: Path = typer.Argument(..., metavar="DIR", help="A folder given to persearch cluster up."),
) -> None:
    """Stop exactly the recorded pids (SIGTERM: searchd saves its indexes)."""
    from ..cluster import down

    stopped = down(folder)
    print(f"persearch: stopped {len(stopped)} searchd process(es)"
          + (f": {', '.join(map(str, stopped))}" if stopped else ""), file=sys.stderr)


@cluster_app.command("config", help="Print the searchd configuration of each node, for real servers.")
def config_command(
    nodes: str = typer.Option(..., "--nodes", metavar="HOST:PORT,...",
                              help="Every node's SphinxQL address (HOST:PORT[:APIPORT]; API port default PORT+6)."),
    node: Optional[int] = typer.Option(None, "--node", min=0, help="Print only this node's (0-based)."),
    folder: str = typer.Option("/var/lib/sphinxsearch/persearch", "--folder", metavar="DIR",
                               help="Where each node keeps its data, binlog, logs and pid."),
) -> None:
    """The configuration persearch needs on each node (RT index, charset table, distributed index)."""
    from ..backends.sphinx.config import parse_nodes
    from ..cluster import config_for
    from ..errors import InvalidOption

    if node is not None and node >= len(parse_nodes(nodes)):
        raise InvalidOption(f"--node {node}: there are {len(parse_nodes(nodes))} nodes (0-based)")
    sys.stdout.write(config_for(nodes, folder, node))
