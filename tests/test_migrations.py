"""A model change without its migration fails the suite."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    # tests/settings.py sets DEFAULT_AUTO_FIELD to AutoField; the app pins its own,
    # so a host's choice must not spawn migrations either.
    out = StringIO()
    call_command("makemigrations", "connex_bridge", "--check", "--dry-run", stdout=out, stderr=StringIO())
    assert "No changes detected" in out.getvalue()
