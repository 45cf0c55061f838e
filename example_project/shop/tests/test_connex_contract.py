"""connex_bridge's endpoint contract suite against the demo shop's orders, as any host runs it.

``pytest`` from the repository root runs it with connex_bridge's test settings; with the demo's own:
``pytest example_project/shop/tests --ds=demo_site.settings``.
"""

from connex_bridge.testing.contract import OrdersContract
from shop.harness import DemoShopHarness


class TestConnexContract(OrdersContract):
    harness = DemoShopHarness()
