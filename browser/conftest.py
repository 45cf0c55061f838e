"""Fixtures of the browser tests: Debian's Chromium driven by Playwright's sync API, a signed-in
admin, screenshots of every step, and Connex requests sent as Connex sends them (HTTP Basic).

Chromium is the system's (``apt-get install chromium``, ``/usr/bin/chromium``; another binary with
``CONNEX_BROWSER_EXECUTABLE``): ``playwright install`` is never needed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from demo.seeding import seed_demo_shop
from django.core.cache import caches
from playwright.sync_api import Browser, Page, expect, sync_playwright

from connex_bridge.conf import app_settings

# Playwright's sync API runs an event loop under the test (in a greenlet), and Django refuses ORM calls
# while one is running in the thread. The test code here is synchronous throughout: tell Django so.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CONNEX_BROWSER_EXECUTABLE", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
ADMIN_PASSWORD = "browser-admin-password"
USERNAME = "connex-browser"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"No Chromium at {CHROMIUM}: apt-get install chromium, or set CONNEX_BROWSER_EXECUTABLE.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


class Screenshots:
    """Full-page screenshots of a test's steps: ``browser/screenshots/<test>/NN-<step>.png``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self, page: Page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower()).strip('-')}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Screenshots:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    folder = SCREENSHOTS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nscreenshots: {folder}")
    return Screenshots(folder)


@pytest.fixture(autouse=True)
def _fresh_lockout_counters() -> Iterator[None]:
    """The local-memory cache outlives a test; failed sign-ins of one must not lock out the next."""
    cache = caches[app_settings.LOCKOUT_CACHE]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def superuser(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser("merchant", "merchant@example.com", ADMIN_PASSWORD)


@pytest.fixture
def admin_page(page: Page, live_server: Any, superuser: Any, shot: Screenshots) -> Page:
    """The admin's sign-in page, filled in and sent: the merchant's dashboard."""
    page.goto(f"{live_server.url}/admin/")
    shot(page, "admin sign-in")
    page.get_by_label("Username").fill(superuser.username)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Site administration").first.wait_for()
    shot(page, "signed in")
    return page


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


class ConnexClient:
    """Requests to the live server's Connex API, with HTTP Basic as Connex sends them."""

    def __init__(self, base: str) -> None:
        self.base = base

    def get(self, action: str, username: str, password: str, **params: str) -> Answer:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        request = urllib.request.Request(f"{self.base}/connex/{action}{query}")  # noqa: S310 - the live server
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return Answer(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read(), dict(error.headers))

    def orders(self, username: str, password: str) -> Answer:
        """The last 40 days of orders (the demo data spans 30): Connex's ``orders`` poll."""
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        stamp = "%Y-%m-%dT%H:%M:%SZ"
        return self.get(
            "orders",
            username,
            password,
            date_modified_min=(now - dt.timedelta(days=40)).strftime(stamp),
            date_modified_max=(now + dt.timedelta(minutes=5)).strftime(stamp),
        )


@pytest.fixture
def connex(live_server: Any) -> ConnexClient:
    # 127.0.0.1 rather than localhost: every request comes from the same client address, whichever
    # address family "localhost" resolves to first.
    return ConnexClient(live_server.url.replace("//localhost:", "//127.0.0.1:"))


@pytest.fixture
def demo_orders(transactional_db: Any) -> Any:
    """Twelve of the demo's orders (D10001…), spread over the last 30 days: a SeedReport."""
    return seed_demo_shop(12, seed=7)


def shown_password(page: Page) -> str:
    """The password as the merchant reads it off the page: the text after "Password:"."""
    found = re.search(r"Password:\s*(\S+)", page.locator("#content").inner_text())
    assert found, f"no password on the page:\n{page.locator('#content').inner_text()}"
    return found.group(1)


def add_credential(page: Page, shot: Screenshots, username: str = USERNAME) -> str:
    """From the dashboard: Connex credentials → Add, a user name, the secret left to be generated → Save.

    Returns the password the page shows once.
    """
    page.get_by_role("link", name="Connex credentials").first.click()
    shot(page, "credentials list")
    page.get_by_role("link", name=re.compile("Add Connex credential", re.IGNORECASE)).click()
    page.get_by_label("Username").fill(username)
    shot(page, "add credential form")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("The password will not be shown again.")).to_be_visible()
    shot(page, "password shown once")
    return shown_password(page)


def run_action(page: Page, username: str, action: re.Pattern[str]) -> None:
    """On a changelist: tick the row of ``username``, pick the action whose name matches, Run."""
    page.locator("#result_list tbody tr", has_text=username).get_by_role("checkbox").check()
    select = page.get_by_role("combobox", name=re.compile("^Action"))
    names = [name.strip() for name in select.locator("option").all_inner_texts()]
    matching = [name for name in names if action.search(name)]
    assert matching, f"no action matching {action.pattern!r} among {names}"
    select.select_option(label=matching[0])
    page.get_by_role("button", name=re.compile(r"^(Run|Go)$")).click()
