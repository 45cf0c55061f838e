"""``manage.py connex_check``: act as Connex, and say whether it would sync cleanly.

Pairs (``authenticatetowebservice``), polls ``orders`` for a window and checks every order with
:mod:`connex_bridge.quality`. Without ``--url`` it runs in-process through the real URLconf and views
as the credential ``--username`` (no password needed: the request is vouched for in the WSGI environ,
:data:`connex_bridge.synclog.SELF_CHECK_ENVIRON`, so nothing is written to the sync log, the lockout or
*last used*). With ``--url`` it talks HTTP to a running shop with urllib, the password read from
standard input (``--password-stdin``). Exit 0 when Connex would sync cleanly, 1 otherwise; one line
per problem. Documented in docs/preview-and-self-test.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client

from connex_bridge import quality
from connex_bridge.actions import base_path
from connex_bridge.authentication import MISSING
from connex_bridge.filters import EXPECTED_DATE, parse_connex_datetime
from connex_bridge.models import ConnexCredential
from connex_bridge.synclog import SELF_CHECK_ENVIRON

#: Connex (the QuickBooks Web Connector behind it) gives up after about two minutes.
SLOW_SECONDS = 60.0
TOO_SLOW_SECONDS = 110.0
#: How long the command waits for an answer over HTTP.
TIMEOUT_SECONDS = 130.0

_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_FORM = "%Y-%m-%dT%H:%M:%SZ"


def parse_since(value: str) -> dt.timedelta:
    """``30m``, ``24h``, ``7d``; CommandError naming the value and the form otherwise."""
    match = re.fullmatch(r"\s*(\d{1,6})\s*([mhd])\s*", value, re.IGNORECASE)
    if not match or not int(match.group(1)):
        raise CommandError(
            f"--since {value!r} is not a duration: use a whole number above zero and m, h or d, e.g. 30m, 24h or 7d."
        )
    return dt.timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


def parse_moment(option: str, value: str) -> dt.datetime:
    try:
        parsed = parse_connex_datetime(value)
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise CommandError(f"{option} {value!r} is not a date and time; expected {EXPECTED_DATE}.")
    return parsed


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Answer:
    status: int
    body: bytes
    seconds: float
    location: str = ""


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: list[str] = field(default_factory=list)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Connex does not follow redirects with its credentials: neither does the check."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Command(BaseCommand):
    help = "Act as Connex for QuickBooks: pair, poll orders for a window, and report what would not sync cleanly."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", help="base URL typed into Connex, e.g. https://shop.example.com/connex/")
        parser.add_argument("--username", help="the credential's user name (required with --url)")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input (with --url)"
        )
        parser.add_argument("--since", help="window up to now: 30m, 24h, 7d (default 24h)")
        parser.add_argument("--from", dest="start", metavar="ISO", help=f"window start, {EXPECTED_DATE}")
        parser.add_argument("--to", dest="end", metavar="ISO", help="window end (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdin: TextIO = options.get("stdin") or sys.stdin
        start, end = self.window(options)
        query = urllib.parse.urlencode({"date_modified_min": start, "date_modified_max": end})
        report = Report()
        if options["url"]:
            self.check_remote(options, query, report)
        else:
            self.check_in_process(options, query, report)
        self.stdout.write(f"connex_check: window {start} … {end}")
        for line in report.timings:
            self.stdout.write(f"  {line}")
        for line in report.notes:
            self.stdout.write(f"note: {line}")
        for line in report.problems:
            self.stdout.write(f"PROBLEM: {line}")
        if report.problems:
            raise CommandError(f"Connex would not sync cleanly: {len(report.problems)} problem(s), listed above.")
        self.stdout.write("OK: Connex would sync cleanly.")

    # --- options --------------------------------------------------------------------------------

    def window(self, options: dict[str, Any]) -> tuple[str, str]:
        if options["since"] and (options["start"] or options["end"]):
            raise CommandError("Give either --since or --from/--to, not both.")
        # Rounded up to the second: the query string's form has no fraction, and the last second counts.
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(seconds=1)
        if options["start"] or options["end"]:
            if not options["start"]:
                raise CommandError("--to needs --from (the window's start).")
            first = parse_moment("--from", options["start"])
            last = parse_moment("--to", options["end"]) if options["end"] else now
            if first > last:
                raise CommandError(f"--from {options['start']!r} is after --to; expected the start before the end.")
        else:
            last = now
            first = now - parse_since(options["since"] or "24h")
        return first.strftime(_FORM), last.strftime(_FORM)

    # --- in-process -----------------------------------------------------------------------------

    def check_in_process(self, options: dict[str, Any], query: str, report: Report) -> None:
        username = options["username"]
        if options["password_stdin"]:
            raise CommandError("--password-stdin goes with --url; in-process the credential needs no password.")
        credentials = ConnexCredential.objects.order_by("username")
        if username:
            credential = credentials.filter(username=username).first()
            if credential is None:
                raise CommandError(f"--username {username!r}: no Connex credential has that user name.")
        else:
            found = list(credentials[:2])
            if len(found) != 1:
                raise CommandError("--username is required: name the credential to check as.")
            credential = found[0]
        base = base_path()
        if base is None:
            raise CommandError("The URLconf does not include connex_bridge.urls: there is nothing to check.")
        client = Client(raise_request_exception=False)
        extra = {SELF_CHECK_ENVIRON: credential}

        def get(action: str, query: str = "") -> Answer:
            started = time.perf_counter()
            response = client.get(base + action + ("?" + query if query else ""), secure=True, **extra)
            body = b"".join(getattr(response, "streaming_content", ())) if response.streaming else response.content
            return Answer(response.status_code, body, time.perf_counter() - started, response.get("Location", ""))

        report.notes.append(f"in-process as {credential.username!r} (nothing written to the sync log)")
        self.run_checks(get, query, report, credential.username)

    # --- over HTTP ------------------------------------------------------------------------------

    def check_remote(self, options: dict[str, Any], query: str, report: Report) -> None:
        url = options["url"]
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CommandError(f"--url {url!r} is not an http(s) URL; expected e.g. https://shop.example.com/connex/.")
        if parts.scheme == "http":
            if not is_loopback(parts.hostname):
                raise CommandError(
                    f"--url {url!r} is plain HTTP: the password would cross the network in clear, and the shop "
                    "refuses Connex over it. Use the https:// URL (plain HTTP is checked on localhost only)."
                )
            report.notes.append("plain HTTP on this machine: fine for a test, but Connex must be given https://")
        if not options["username"]:
            raise CommandError("--url needs --username (the credential's user name).")
        if not options["password_stdin"]:
            raise CommandError("--url needs --password-stdin: the password is read from standard input.")
        password = self.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("No password on standard input.")
        base = url if url.endswith("/") else url + "/"
        token = base64.b64encode(f"{options['username']}:{password}".encode()).decode()
        del password
        opener = urllib.request.build_opener(_NoRedirect)

        def get(action: str, query: str = "") -> Answer:
            request = urllib.request.Request(  # noqa: S310 - the scheme was checked: http(s) only
                base + action + ("?" + query if query else ""),
                headers={"Authorization": "Basic " + token, "Accept": "application/json"},
            )
            started = time.perf_counter()
            try:
                with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                    body = response.read()
                    return Answer(response.status, body, time.perf_counter() - started)
            except urllib.error.HTTPError as exc:
                body = exc.read()
                return Answer(exc.code, body, time.perf_counter() - started, exc.headers.get("Location", ""))
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise CommandError(f"Could not reach {base + action}: {reason}.") from None

        self.run_checks(get, query, report, options["username"])

    # --- what Connex does -----------------------------------------------------------------------

    def run_checks(self, get: Any, query: str, report: Report, username: str) -> None:
        pairing = get("authenticatetowebservice")
        self.timed(report, "authenticatetowebservice", pairing)
        if not self.answered(report, "authenticatetowebservice", pairing, username):
            return
        answer = get("orders", query)
        self.timed(report, "orders", answer)
        if not self.answered(report, "orders", answer, username):
            return
        warnings = quality.check_answer_bytes(answer.body)
        counts = quality.count_by_severity(warnings)
        report.timings.append(
            f"orders: {len(answer.body):,} bytes, {counts['error']} error(s), {counts['warning']} warning(s)"
        )
        for warning in warnings:
            if warning.severity == quality.ERROR:
                report.problems.append(warning.line())
            else:
                report.notes.append(warning.line())

    def timed(self, report: Report, action: str, answer: Answer) -> None:
        report.timings.append(f"{action}: {answer.status} in {answer.seconds:.2f} s")
        if answer.seconds > TOO_SLOW_SECONDS:
            report.problems.append(
                f"{action} took {answer.seconds:.0f} s: Connex gives up after about two minutes. Narrow the sync "
                "window in Connex, or speed up the order source."
            )
        elif answer.seconds > SLOW_SECONDS:
            report.notes.append(
                f"{action} took {answer.seconds:.0f} s, near Connex's two-minute limit: a busier day would fail."
            )

    def answered(self, report: Report, action: str, answer: Answer, username: str) -> bool:
        if 300 <= answer.status < 400:
            report.problems.append(
                f"{action}: redirect {answer.status} to {answer.location or '(no Location)'}; Connex does not follow "
                "redirects with its credentials. Type the final URL into Connex (the one the redirect names)."
            )
            return False
        if answer.status == 200:
            return True
        message = _message(answer.body)
        if answer.status == 401 and (message == MISSING or message.startswith("No credentials reached the shop")):
            report.problems.append(
                f"{action}: 401, the Authorization header was sent but did not reach the shop: the web server or a "
                "proxy strips it (Apache mod_wsgi needs 'WSGIPassAuthorization On')."
            )
        else:
            report.problems.append(f"{action}: {answer.status} {message}")
        return False


def _message(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace")
    return data if isinstance(data, str) else str(data)[:200]
