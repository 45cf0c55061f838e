"""A model change without its migration fails the suite."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
@pytest.mark.parametrize("app", ["connex_bridge", "shop"])
def test_models_and_migrations_agree(app):
    # tests/settings.py sets DEFAULT_AUTO_FIELD to AutoField; each app pins its own,
    # so a host's choice must not spawn migrations either. "shop" is the demo shop.
    out = StringIO()
    call_command("makemigrations", app, "--check", "--dry-run", stdout=out, stderr=StringIO())
    assert "No changes detected" in out.getvalue()
