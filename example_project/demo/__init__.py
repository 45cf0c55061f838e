"""The demo shop's app: deterministic demo orders and a demo Connex credential."""
