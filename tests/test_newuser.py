"""The README's install snippets, as tests/newuser/run.py finds and applies them.

The whole trial (a fresh virtualenv, the wheel, a bare startproject, runserver, curl) takes a minute or
two and runs in .ci/run (``make newuser``); these tests keep the snippets it needs findable and
working from the suite, in milliseconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import URLResolver

import connex_bridge
from tests.newuser.run import EXPECTED, StepError, snippets

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_the_readme_marks_every_snippet_the_trial_applies():
    assert set(snippets(README)) == set(EXPECTED)


def test_step_1_installs_the_wheel_make_dist_builds_for_this_version():
    [line] = snippets(README)["install"].splitlines()

    assert f"/dist/django_connex_bridge-{connex_bridge.__version__}-py3-none-any.whl[redis]" in line


def test_step_3_pasted_at_the_end_of_a_startproject_urls_py_routes_connex():
    # startproject's urls.py imports path alone: the snippet must bring include itself.
    urls = {"urlpatterns": []}

    exec(snippets(README)["urls"], urls)  # noqa: S102 - the README's own snippet

    [included] = urls["urlpatterns"]
    assert isinstance(included, URLResolver)
    assert str(included.pattern) == "connex/"
    assert included.urlconf_name.__name__ == "connex_bridge.urls"


def test_step_2_adds_the_apps_and_step_6_a_redis_cache():
    settings = {"INSTALLED_APPS": ["django.contrib.admin"]}

    exec(snippets(README)["apps"] + snippets(README)["caches"], settings)  # noqa: S102 - the README's own snippets

    assert settings["INSTALLED_APPS"] == ["django.contrib.admin", "rest_framework", "django_filters", "connex_bridge"]
    assert settings["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_the_local_testing_setting_is_allow_http():
    settings: dict[str, object] = {}

    exec(snippets(README)["allow-http"], settings)  # noqa: S102 - the README's own snippet

    assert settings["CONNEX_BRIDGE"] == {"ALLOW_HTTP": True}


@pytest.mark.parametrize(
    ("readme", "error"),
    [
        (README.replace("<!-- newuser: urls -->", "", 1), "marks no snippet <!-- newuser: urls -->"),
        (README + "\n<!-- newuser: urls -->\n```python\npass\n```\n", "marks two snippets <!-- newuser: urls -->"),
        (README.replace("newuser: migrate -->\n   ```sh", "newuser: migrate -->\n   ```python", 1), "'migrate'"),
    ],
    ids=["missing", "doubled", "wrong language"],
)
def test_a_snippet_the_trial_cannot_find_fails_it_loudly(readme, error):
    with pytest.raises(StepError, match=error):
        snippets(readme)
