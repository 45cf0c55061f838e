"""The README tried as a new user tries it (run.py; .ci/run and make newuser run it)."""
