"""Test helpers for shops that use connex_bridge.

* :mod:`connex_bridge.testing.client`: ``ConnexClient``, ``HTTPSClient`` and ``basic()``, test clients
  that call the endpoints as Connex does (re-exported here);
* :mod:`connex_bridge.testing.harness`: ``ShopHarness``, ``OrderSpec``, ``LineSpec``, how the contract
  suite makes orders in a shop;
* :mod:`connex_bridge.testing.contract`: ``OrdersContract``, the endpoint contract suite a host runs
  against its own order source (needs pytest and pytest-django);
* :mod:`connex_bridge.testing.factories`: factory-boy factories for the built-in models.

Needs the ``test`` extra (pytest, pytest-django, factory-boy); nothing at run time imports this package
(``tests/test_imports.py`` checks it).
"""

try:
    import pytest
except ImportError:  # the clients and harnesses work without pytest
    pass
else:
    # pytest rewrites the asserts of test modules only; the contract suite's failures should read
    # like the host's own tests' (the values compared), so its module is rewritten too.
    pytest.register_assert_rewrite("connex_bridge.testing.contract")

from connex_bridge.testing.client import ConnexClient, HTTPSClient, basic

__all__ = ["ConnexClient", "HTTPSClient", "basic"]
