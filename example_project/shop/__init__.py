"""The demo shop: catalogue, customers and orders in the shop's own terms, and its Connex adapter."""
