"""The demo shop's Django project: settings, URLs and WSGI entry point."""
