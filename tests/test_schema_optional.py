"""The OpenAPI schema is optional: connex_bridge runs, and says what to install, without drf-spectacular.

The schema itself is tested where drf-spectacular is installed (fuzz/, ``tox -e fuzz``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent
HINT = "pip install 'django-connex-bridge[schema]'"

WITHOUT_DRF_SPECTACULAR = textwrap.dedent(
    f"""
    import importlib, pkgutil, sys
    sys.modules["drf_spectacular"] = None  # as if it were not installed
    import django
    django.setup()
    import connex_bridge
    for module in pkgutil.walk_packages(connex_bridge.__path__, "connex_bridge."):
        # contrib packages need their own optional dependencies (django-oscar …)
        if module.name != "connex_bridge.schema" and not module.name.startswith("connex_bridge.contrib."):
            importlib.import_module(module.name)
    from django.core.management import call_command
    call_command("check", fail_level="ERROR")
    try:
        import connex_bridge.schema
    except ImportError as exc:
        assert {HINT!r} in str(exc), exc
    else:
        raise AssertionError("connex_bridge.schema imported without drf-spectacular")
    """
)


def test_every_module_but_the_schema_imports_and_the_checks_pass_without_drf_spectacular():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}

    subprocess.run(  # noqa: S603 - this interpreter, running the code above
        [sys.executable, "-c", WITHOUT_DRF_SPECTACULAR], cwd=ROOT, env=env, check=True, timeout=60
    )


def test_connex_schema_says_what_to_install_without_drf_spectacular(monkeypatch):
    for name in [name for name in sys.modules if name.split(".")[0] == "drf_spectacular"] + ["drf_spectacular"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, "connex_bridge.schema", raising=False)

    with pytest.raises(CommandError, match=r"needs drf-spectacular: pip install 'django-connex-bridge\[schema\]'"):
        call_command("connex_schema")
