#!/usr/bin/env python
"""Django's command-line utility for the connex_bridge demo shop.

Run it from anywhere, e.g. ``python example_project/manage.py runserver``:
Python puts this file's directory on ``sys.path``, so ``demo_site`` and
``demo`` import without installing anything.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run the management command named on the command line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
