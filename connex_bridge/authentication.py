"""HTTP Basic authentication against :class:`~connex_bridge.models.ConnexCredential`."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.request import Request

from connex_bridge import credential_secrets
from connex_bridge.conf import app_settings
from connex_bridge.lockout import SignInAttempt
from connex_bridge.models import ConnexCredential
from connex_bridge.proxies import client_address
from connex_bridge.synclog import SELF_CHECK_ENVIRON, USERNAME_ATTR

logger = logging.getLogger("connex_bridge.authentication")

REALM = "Connex"

#: One message for an unknown user, a wrong secret and a disabled credential,
#: so the answer never tells which user names exist. Connex shows it verbatim.
REJECTED = (
    "Connex could not sign in to the shop: the user name or password is wrong, or the credential "
    "was disabled. Type the user name and password exactly as the shop's Connex credential shows them."
)
MALFORMED = "The Authorization header is not valid HTTP Basic: send 'Basic ' followed by base64 of 'username:password'."
MISSING = (
    "No credentials reached the shop: the request had no Authorization header. Enter the user name "
    "and password in Connex; if they are entered, the web server dropped the header (Apache mod_wsgi "
    "needs 'WSGIPassAuthorization On'; a proxy may be stripping it)."
)


class ConnexBasicAuthentication(BaseAuthentication):
    """Checks HTTP Basic credentials in constant time, at microseconds per request.

    Failed attempts are limited per (user name, client address) and per client
    address (:mod:`connex_bridge.lockout`). The :class:`ConnexCredential` is
    ``request.auth``; ``request.user`` is an ``AnonymousUser``, since Connex is
    no user of the site (host middleware and logging that read ``request.user``
    see what they expect of a request nobody signed in to).
    """

    # sensitive_variables(): an error report (Django's, or one built on its
    # filter) hides every local of these frames and of the frames they call,
    # which hold the header, the decoded "user:password" and the password.
    @sensitive_variables()
    def authenticate(self, request: Request) -> tuple[AnonymousUser, ConnexCredential]:
        vouched = request._request.META.get(SELF_CHECK_ENVIRON)
        if isinstance(vouched, ConnexCredential):  # manage.py connex_check, in-process (synclog.SELF_CHECK_ENVIRON)
            return AnonymousUser(), vouched
        header = get_authorization_header(request).split()
        if not header:
            raise NotAuthenticated(MISSING)
        if header[0].lower() != b"basic" or len(header) != 2:
            raise AuthenticationFailed(MALFORMED)
        try:
            decoded = base64.b64decode(header[1], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            try:
                decoded = base64.b64decode(header[1], validate=True).decode("latin-1")
            except binascii.Error as exc:
                raise AuthenticationFailed(MALFORMED) from exc
        username, sep, password = decoded.partition(":")
        if not sep:
            raise AuthenticationFailed(MALFORMED)
        setattr(request._request, USERNAME_ATTR, username)  # for the sync log: the name, never the password
        return self.authenticate_credentials(username, password, client_address(request))

    @sensitive_variables()
    def authenticate_credentials(
        self, username: str, password: str, address: str
    ) -> tuple[AnonymousUser, ConnexCredential]:
        attempt = SignInAttempt(username, address)
        attempt.refuse_if_locked()
        # One query whatever the outcome, and the same digest work for an
        # unknown user name as for a wrong password. No user name holds a NUL,
        # and PostgreSQL cannot even compare one: treat it as unknown.
        credential = None if "\x00" in username else ConnexCredential.objects.filter(username=username).first()
        if credential is None:
            credential_secrets.check_unknown_user(password)
            attempt.failed()
            raise AuthenticationFailed(REJECTED)
        match = credential.match_secret(password)
        if match is None or not credential.is_active:
            attempt.failed(credential.username)
            raise AuthenticationFailed(REJECTED)
        attempt.succeeded()
        if match == "previous":
            logger.info(
                "Connex signed in as %r with the secret replaced by the last rotation; it stops working at %s. "
                "Type the new password into Connex before then.",
                credential.username,
                credential.previous_valid_until,
            )
        self.record_use(credential)
        return AnonymousUser(), credential

    @staticmethod
    def record_use(credential: ConnexCredential) -> None:
        """Write ``last_used_at``, at most once per ``LAST_USED_RESOLUTION`` seconds."""
        now = timezone.now()
        last = credential.last_used_at
        if last is None or now - last >= dt.timedelta(seconds=app_settings.LAST_USED_RESOLUTION):
            ConnexCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
            credential.last_used_at = now

    def authenticate_header(self, request: Any) -> str:
        return f'Basic realm="{REALM}", charset="UTF-8"'
