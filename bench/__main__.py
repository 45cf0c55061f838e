"""``python -m bench``: the benchmark of the ``orders`` endpoint (see :mod:`bench.runner`)."""

import sys

from bench.runner import main

sys.exit(main())
