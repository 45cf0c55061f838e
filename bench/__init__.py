"""The benchmark of the ``orders`` endpoint (tracker issue "Fast at any size").

``make bench SOURCE=builtin ORDERS=5000 DB=sqlite`` (or ``DB=postgres``) seeds a fresh
database with realistic orders (:mod:`bench.seed`), checks that the ways of answering
the same window give the same JSON, then times them, alternating:

* **ours**: ``GET /connex/orders`` through Django's whole request handling, from the tables
  of ``SOURCE``: ``builtin`` (connex_bridge's models), ``demo`` (the demo shop's, through its
  declarative source) or ``oscar`` (django-oscar's);
* **builtin** (when ``SOURCE`` is not ``builtin``): ours on the built-in tables, holding the same orders;
* **floor**: the cheapest correct Python path to the same JSON (:mod:`bench.floor`);
* **naive**: nested DRF ModelSerializers, what a developer writes first (:mod:`bench.naive`).

It ends with one ``RESULT`` line; see :mod:`bench.runner` for what each number means.
"""
