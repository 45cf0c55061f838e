"""The demo shop's own tests, written as a host shop writes them."""
