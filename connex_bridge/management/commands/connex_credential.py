"""``manage.py connex_credential``: add, list, disable and rotate Connex credentials.

A generated secret is printed once and never again; a typed one is read from
standard input (``--password-stdin``) so that it stays out of the shell
history and the process list. Errors are one line and exit non-zero.
"""

from __future__ import annotations

import datetime
import re
import sys
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction
from django.utils import timezone

from connex_bridge import credential_secrets
from connex_bridge.models import ConnexCredential


def _one_line(exc: ValidationError) -> str:
    return " ".join(" ".join(message.split()) for message in exc.messages)


#: The longest grace period: past that, rotating would hardly retire the old secret.
MAX_GRACE = datetime.timedelta(days=30)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_grace(value: str) -> datetime.timedelta:
    """``30m``, ``24h``, ``2d`` as a timedelta; CommandError (one line) otherwise."""
    match = re.fullmatch(r"\s*(\d{1,6})\s*([mhd])\s*", value, re.IGNORECASE)
    if not match:
        raise CommandError(
            f"--grace {value!r} is not a duration: use a whole number and m, h or d, e.g. 30m, 24h or 2d."
        )
    grace = datetime.timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})
    if not grace:
        raise CommandError("--grace must be longer than zero (leave it out to retire the old secret at once).")
    if grace > MAX_GRACE:
        raise CommandError(f"--grace {value!r} is too long: at most 30d, so the old secret is retired in time.")
    return grace


def _local(moment: datetime.datetime) -> str:
    """``moment`` in the shop's time zone (naive values, without USE_TZ, already are)."""
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=timezone.get_default_timezone())
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def _stores(names: list[str] | None) -> list[str]:
    stores: list[str] = []
    for name in names or []:
        name = name.strip()
        if name and name not in stores:
            stores.append(name)
    return stores


class Command(BaseCommand):
    """Manage the user names and secrets Connex uses to poll this shop."""

    help = "Add, list, disable or rotate the credentials Connex for QuickBooks uses to poll this shop."
    # call_command(..., stdin=...) feeds --password-stdin in tests.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)

        add = subcommands.add_parser("add", help="Create a credential; prints a generated password once.")
        add.add_argument("username", help="What the merchant types into Connex as the user name.")
        add.add_argument(
            "--store",
            action="append",
            dest="stores",
            metavar="NAME",
            help="A store this credential may see; repeat for several. Default: every store.",
        )
        add.add_argument(
            "--merchant",
            default="",
            metavar="ID",
            help="On multi-merchant platforms: the merchant whose orders it may see (see the order source).",
        )
        add.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from standard input instead of generating one.",
        )

        subcommands.add_parser("list", help="List credentials (never their secrets).")

        disable = subcommands.add_parser("disable", help="Disable a credential: Connex can no longer sign in.")
        disable.add_argument("username")

        rotate = subcommands.add_parser("rotate", help="Replace a credential's secret; prints a generated one once.")
        rotate.add_argument("username")
        rotate.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the new password from standard input instead of generating one.",
        )
        rotate.add_argument(
            "--grace",
            metavar="DURATION",
            help="Keep the old password working this long (30m, 24h, 2d; at most 30d) so Connex can be updated "
            "without a gap. Default: the old password stops at once.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdin: TextIO = options.get("stdin") or sys.stdin
        subcommand = options["subcommand"]
        if subcommand == "add":
            self.add(options["username"], _stores(options["stores"]), options["merchant"], options["password_stdin"])
        elif subcommand == "list":
            self.list_credentials()
        elif subcommand == "disable":
            self.disable(options["username"])
        elif subcommand == "rotate":
            self.rotate(options["username"], options["password_stdin"], options["grace"])

    def read_secret(self) -> str:
        """The password on standard input, less one trailing newline, checked for strength."""
        secret = self.stdin.read()
        if secret.endswith("\r\n"):
            secret = secret[:-2]
        elif secret.endswith("\n"):
            secret = secret[:-1]
        if not secret:
            raise CommandError("No password on standard input (leave out --password-stdin to generate one).")
        try:
            credential_secrets.validate_secret(secret)
        except ValidationError as exc:
            raise CommandError(_one_line(exc)) from exc
        return secret

    def get_credential(self, username: str) -> ConnexCredential:
        try:
            credential: ConnexCredential = ConnexCredential.objects.get(username=username)
        except ConnexCredential.DoesNotExist:
            raise CommandError(f"No Connex credential has the user name {username!r}.") from None
        return credential

    def show_secret(self, username: str, secret: str) -> None:
        self.stdout.write(
            "Type these into Connex; the password will not be shown again:\n"
            f"  User name: {username}\n"
            f"  Password:  {secret}"
        )

    def add(self, username: str, stores: list[str], merchant: str, password_stdin: bool) -> None:
        # The secret is settled (and, if typed, checked) before anything is
        # written, so a refused secret leaves no credential behind.
        secret = self.read_secret() if password_stdin else credential_secrets.generate_secret()
        credential = ConnexCredential(username=username, stores=stores, merchant=merchant.strip())
        credential.set_secret(secret)
        try:
            credential.full_clean()
        except ValidationError as exc:
            raise CommandError(f"Cannot add {username!r}: {_one_line(exc)}") from exc
        try:
            with transaction.atomic():
                credential.save()
        except IntegrityError as exc:
            # Another process took the name between full_clean() and save().
            raise CommandError(f"Cannot add {username!r}: that user name is already taken.") from exc
        where = ", ".join(stores) if stores else "all stores"
        if credential.merchant:
            where += f", merchant {credential.merchant}"
        self.stdout.write(f"Added Connex credential {username!r} ({where}).")
        if password_stdin:
            self.stdout.write("It uses the password read from standard input.")
        else:
            self.show_secret(username, secret)

    def list_credentials(self) -> None:
        credentials = list(ConnexCredential.objects.order_by("username"))
        if not credentials:
            self.stdout.write("No Connex credentials yet; add one with: manage.py connex_credential add USERNAME")
            return
        width = max(len(c.username) for c in credentials)
        for credential in credentials:
            state = "active" if credential.is_active else "disabled"
            stores = ", ".join(credential.stores) if credential.stores else "all stores"
            used = "never" if credential.last_used_at is None else _local(credential.last_used_at)
            merchant = f"  merchant: {credential.merchant}" if credential.merchant else ""
            line = f"{credential.username:<{width}}  {state:<8}  stores: {stores}{merchant}  last used: {used}"
            if credential.previous_secret_valid and credential.previous_valid_until is not None:
                line += f"  old password works until: {_local(credential.previous_valid_until)}"
            self.stdout.write(line)

    def disable(self, username: str) -> None:
        credential = self.get_credential(username)
        if not credential.is_active:
            self.stdout.write(f"Connex credential {username!r} was already disabled.")
            return
        credential.is_active = False
        credential.save(update_fields=["is_active"])
        self.stdout.write(f"Disabled Connex credential {username!r}: Connex can no longer sign in with it.")

    def rotate(self, username: str, password_stdin: bool, grace_text: str | None = None) -> None:
        # The duration and the credential are checked before a password is read or generated.
        grace = parse_grace(grace_text) if grace_text is not None else None
        credential = self.get_credential(username)
        secret = self.read_secret() if password_stdin else credential_secrets.generate_secret()
        credential.set_secret(secret, grace=grace)
        credential.save(update_fields=ConnexCredential.SECRET_FIELDS)
        if credential.previous_valid_until is not None:
            self.stdout.write(
                f"Rotated the secret of Connex credential {username!r}; the old one keeps working until "
                f"{_local(credential.previous_valid_until)} ({grace_text}), then only the new one does."
            )
        else:
            self.stdout.write(f"Rotated the secret of Connex credential {username!r}; the old one no longer works.")
        if password_stdin:
            self.stdout.write("It now uses the password read from standard input.")
        else:
            self.show_secret(username, secret)
        if not credential.is_active:
            self.stdout.write("The credential is disabled: enable it in the admin before Connex can sign in with it.")
