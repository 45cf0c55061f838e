"""Generating, checking and storing Connex secrets.

Connex polls with the same Basic credentials on every request, so the check
must be cheap: a slow password hasher (PBKDF2, Argon2) would cost hundreds of
milliseconds per poll. Secrets here are long and random (generated: 192 bits)
or at least ``MIN_SECRET_LENGTH`` characters and not a common password (typed),
so a salted HMAC-SHA256 digest is safe to store and costs microseconds to
check. Digests are compared with :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

from connex_bridge.conf import app_settings

ALGORITHM = "hmac-sha256"
MIN_DISTINCT_CHARACTERS = 8

# Checked against when the user name is unknown, so that an unknown user costs
# the same work as a wrong secret.
_DUMMY_DIGEST = f"{ALGORITHM}${'0' * 32}${'0' * 64}"


def generate_secret() -> str:
    """A new random secret: 32 URL-safe characters (192 bits)."""
    return secrets.token_urlsafe(24)


def _hexdigest(salt: str, secret: str) -> str:
    return hmac.new(salt.encode(), secret.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def make_digest(secret: str) -> str:
    """The stored form of ``secret``: ``hmac-sha256$<salt>$<hex digest>``."""
    salt = secrets.token_hex(16)
    return f"{ALGORITHM}${salt}${_hexdigest(salt, secret)}"


def check_digest(secret: str, digest: str | None) -> bool:
    """True when ``secret`` matches ``digest``; always does the same work."""
    algorithm, _, rest = (digest or _DUMMY_DIGEST).partition("$")
    salt, _, expected = rest.partition("$")
    if algorithm != ALGORITHM or not salt or not expected:
        salt, expected, valid = "0" * 32, "0" * 64, False
    else:
        valid = digest is not None
    actual = _hexdigest(salt, secret)
    return hmac.compare_digest(actual, expected) and valid


def check_unknown_user(secret: str) -> bool:
    """Spend the work of checking a secret for a user name that does not exist.

    ConnexCredential.match_secret() computes two digests (the current secret
    and the one kept during a rotation's grace period), so this does too.
    """
    current = check_digest(secret, None)
    previous = check_digest(secret, None)
    return current and previous


def validate_secret(secret: str) -> None:
    """Raise ValidationError (one readable sentence) when a typed secret is too weak."""
    minimum = app_settings.MIN_SECRET_LENGTH
    if len(secret) < minimum:
        raise ValidationError(
            f"The secret is too short: it must have at least {minimum} characters "
            "(a generated secret always is long enough).",
            code="secret_too_short",
        )
    if secret != secret.strip():
        raise ValidationError("The secret must not start or end with a blank.", code="secret_blank")
    if len(set(secret)) < MIN_DISTINCT_CHARACTERS:
        raise ValidationError(
            f"The secret is too simple: use at least {MIN_DISTINCT_CHARACTERS} different characters.",
            code="secret_too_simple",
        )
    try:
        CommonPasswordValidator().validate(secret)
    except ValidationError as exc:
        raise ValidationError("The secret is a commonly used password; choose another.", code="secret_common") from exc
