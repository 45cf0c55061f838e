"""connex_bridge for django-oscar shops: an order source, address change tracking and a system check.

Add ``"connex_bridge.contrib.oscar"`` to ``INSTALLED_APPS`` after Oscar's apps and set
``CONNEX_BRIDGE["ORDER_SOURCE"]`` to ``"connex_bridge.contrib.oscar.source.OscarOrderSource"``.
docs/oscar.md has the details.
"""
