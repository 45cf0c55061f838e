"""Test helpers for shops that use connex_bridge: factory-boy factories and a Connex client.

Needs the ``test`` extra (factory-boy); nothing at run time imports this package.
"""
