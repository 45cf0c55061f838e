"""connex_bridge: serve Connex for QuickBooks' custom-store API from a Django shop."""

__version__ = "0.1.0"
