"""``seed_demo_shop`` and ``demo_credential``."""
