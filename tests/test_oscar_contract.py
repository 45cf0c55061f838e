"""The endpoint contract suite against django-oscar, as an Oscar shop runs it (``tox -e oscar``).

Collected only with CONNEX_TEST_OSCAR=1 (tests/conftest.py ``collect_ignore``): it needs django-oscar.
"""

from connex_bridge.contrib.oscar.testing import OscarHarness
from connex_bridge.testing.contract import OrdersContract


class TestConnexContract(OrdersContract):
    harness = OscarHarness()
