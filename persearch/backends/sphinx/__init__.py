"""The sphinx backend: persearch over Sphinx 2.2 / Manticore nodes, through SphinxQL.

Modules: :mod:`.config` (node addresses, the searchd configuration; no
client needed), :mod:`.documents` (a document as Sphinx words and stored
fields), :mod:`.store` (persearch's own SQLite store in the index folder),
:mod:`.translate` (query trees as MATCH strings), :mod:`.nodes` (pymysql),
:mod:`.backend` (the :class:`~persearch.backends.base.Backend`). Nothing
here is imported unless an index uses this backend. See docs/backends.md,
"Scaling out".
"""
