"""The sphinx backend and what the index layer asks of every engine since the reliability and
ranking work: ``persearch doctor`` over the nodes, document frequencies of the whole index, the
writer's memory, and a search that a commit overtakes. Real searchd nodes (the session's, or a
test's own when one is stopped); damage, interrupts and record-level updates run on sphinx in
the backend-parametrized tests (test_damage, test_crash, test_sync, test_readers)."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from conftest import sphinx_unavailable
from test_sphinx import NEWS, cli, corpus, pids_of, rows_on_nodes

from persearch import Index
from persearch.backends.base import Document
from persearch.querytree import MatchAll

pytestmark = pytest.mark.skipif(sphinx_unavailable() is not None, reason=sphinx_unavailable() or "")


def _delete_rows(address: str, ns: int) -> None:
    """What a node that lost its index's files looks like: none of this index's rows left on it."""
    import pymysql

    host, port = address.split(":")[:2]
    connection = pymysql.connect(host=host, port=int(port), autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM persearch WHERE ns = %s", (ns,))
    finally:
        connection.close()


def test_doctor_names_a_node_that_lost_its_rows_and_a_rebuild_repairs_it(
        tmp_path: Path, sphinx_cluster: dict[str, object]) -> None:
    nodes = str(sphinx_cluster["nodes"])
    docs = corpus(tmp_path / "اخبار", 30)
    location = tmp_path / "نمایه"
    with Index.create(location, backend="sphinx", nodes=nodes) as ix:
        ix.add_paths([docs])
        held = rows_on_nodes(nodes, ix)
        ns = ix.backend.ns
    sound = cli("doctor", "--index", str(location))
    assert sound.returncode == 0 and "the index is sound" in sound.stdout, sound.stdout + sound.stderr
    assert "sphinx files match their checksums" in sound.stdout
    second = nodes.split(",")[1]
    _delete_rows(second, ns)
    found = cli("doctor", "--index", str(location))
    assert found.returncode == 1 and "Traceback" not in found.stderr
    damaged = [line for line in found.stdout.splitlines() if line.startswith("damaged:")]
    assert damaged == [f"damaged: Sphinx node {second} holds 0 documents of this index, the store {held[1]} "
                       f"(its index lost or damaged rows)"]
    assert "--rebuild" in found.stdout.splitlines()[-1]
    assert cli("index", "--rebuild", "--index", str(location)).returncode == 0
    assert cli("doctor", "--index", str(location)).returncode == 0
    with Index.open(location) as ix:
        assert ix.search("خبر", limit=50).total == 30 and sum(rows_on_nodes(nodes, ix)) == 30


def test_doctor_names_a_node_that_does_not_answer(tmp_path: Path, own_cluster: dict[str, object]) -> None:
    folder, nodes = Path(str(own_cluster["folder"])), str(own_cluster["nodes"])
    location = tmp_path / "ix"
    with Index.create(location, backend="sphinx", nodes=nodes) as ix:
        ix.add_documents([Document(id=f"d{i}", title=t, text=x) for i, (t, x) in enumerate(NEWS * 3)])
    os.kill(pids_of(folder)[1], signal.SIGKILL)
    time.sleep(0.2)
    # The index cannot be checked without the node: one line naming it and how to start it, not a
    # rebuild (nothing is damaged).
    found = cli("doctor", "--index", str(location))
    assert found.returncode == 1 and found.stdout == ""
    assert found.stderr.startswith(f"persearch: error: Sphinx node {nodes.split(',')[1]} did not answer")
    assert found.stderr.rstrip().endswith("start it (persearch cluster up DIR) and run persearch doctor again")
    assert len(found.stderr.splitlines()) == 1 and "rebuild" not in found.stderr
    assert cli("cluster", "up", str(folder)).returncode == 0
    assert cli("doctor", "--index", str(location)).returncode == 0


def test_document_frequencies_are_the_whole_index_as_on_whoosh(tmp_path: Path,
                                                               sphinx_cluster: dict[str, object]) -> None:
    """Ranking asks which words the index holds (persearch/query/ranking.py): the nodes each know
    their share only, the store knows the whole index, as the Whoosh backend does."""
    documents = [Document(id=f"d{i}", title=t, text=x) for i, (t, x) in enumerate(NEWS * 2)]
    frequencies = {}
    for backend in ("whoosh", "sphinx"):
        with Index.create(tmp_path / backend, backend=backend) as ix:
            ix.add_documents(documents)
            terms = sorted({t for field in ("title", "body") for t, _ in ix.backend.terms(field)})
            frequencies[backend] = ix.backend.doc_frequencies([*terms, "ناموجود", "کتابخانه‌ها"])
            assert len(terms) > 40
    assert frequencies["sphinx"] == frequencies["whoosh"]
    assert frequencies["sphinx"][-2:] == [0, 0] and max(frequencies["sphinx"]) >= 4


def test_writer_memory_bounds_the_rows_held_before_they_are_sent(tmp_path: Path,
                                                                  sphinx_cluster: dict[str, object]) -> None:
    with Index.create(tmp_path / "ix", backend="sphinx") as ix:
        backend = ix._backend
        backend.writer_memory = 1  # every document's rows go to its node at once
        backend.add([Document(id=f"d{i}", title=t, text=x) for i, (t, x) in enumerate(NEWS)])
        assert backend.writer._unsent == [] and len(backend.store.intent.rows()) == len(NEWS)
        assert backend.search(MatchAll(), limit=10).total == 0  # sent, not committed: invisible
        backend.commit()
        assert backend.search(MatchAll(), limit=10).total == len(NEWS)
        assert backend.store.intent.rows() == []


def test_a_search_overtaken_by_a_commit_runs_again(tmp_path: Path, sphinx_cluster: dict[str, object],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A replaced row leaves its node just after the commit that replaced it: a search still reading
    the generation before would miss the document; it sees the generation moved and runs again."""
    from persearch.backends.sphinx import backend as sphinx_backend

    with Index.create(tmp_path / "ix", backend="sphinx") as ix:
        ix.add_documents([Document(id=f"d{i}", title=t, text=x) for i, (t, x) in enumerate(NEWS)])
        backend = ix._backend
        once = sphinx_backend.SphinxBackend._search
        commits = []

        def overtaken(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            results, generation = once(self, *args, **kwargs)
            commits.append(generation)
            if len(commits) == 1:  # every document replaced while this first search ran
                self.add([Document(id=f"d{i}", title=t, text=x + " ویرایش") for i, (t, x) in enumerate(NEWS)])
                self.commit()
            return results, generation

        monkeypatch.setattr(sphinx_backend.SphinxBackend, "_search", overtaken)
        results = backend.search(MatchAll(), limit=10)
        # Run again on the generation the commit made, and that answer stands.
        assert commits == [commits[0], commits[0] + 1] == [commits[0], backend.generation()]
        assert results.total == len(NEWS) and {h.id for h in results.hits} == {f"d{i}" for i in range(len(NEWS))}
        assert ix.search("ویرایش", limit=10).total == len(NEWS)
