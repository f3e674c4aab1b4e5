"""Passwords (argon2id, OWASP ASVS 5.0 rules) and signed, expiring tokens for e-mail links."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from .extensions import db
from .models import User

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
COMMON_PASSWORDS_CHECKED = 30_000  # ASVS 5.0 (6.2.4) asks for at least the top 3,000


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORDS_CHECKED])


def password_problem(password: str, *, context: tuple[str, ...] = ()) -> str | None:
    """Why `password` is refused, or None. Length and breach lists only: no composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    lowered = password.lower()
    if lowered in _common_passwords():
        return "This password is one of the most common ones; choose something less guessable."
    if any(word and len(word) >= 3 and lowered == word.lower() for word in context):
        return "Do not use your name, username or e-mail address as your password."
    return None


def personal_words(user: User) -> tuple[str, ...]:
    """What a user's password must not be: their username, e-mail address and names."""
    email = user.email or ""
    return (user.username or "", email, email.split("@")[0], user.first_name, user.last_name)


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_COST"]
    )


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher().hash(password)


def set_password(user: User, password: str) -> None:
    """Store a new password and end every session the user had."""
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.end_sessions()


def check_password(user: User, password: str) -> bool:
    """Verify `password`, upgrading the stored hash when the cost parameters changed."""
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


_DUMMY_HASH: dict[str, str] = {}


def burn_password_check(password: str) -> None:
    """Spend the time of a real check, so a missing account is not told apart by timing."""
    key = f"{current_app.config['ARGON2_TIME_COST']}:{current_app.config['ARGON2_MEMORY_COST']}"
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hash_password(secrets.token_hex(8))
    with contextlib.suppress(VerificationError):
        _hasher().verify(_DUMMY_HASH[key], password)


# --- signed links -------------------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"marketplace.{purpose}")


def _fingerprint(value: str | None) -> str:
    """A short digest: tokens are only signed, not encrypted, so they carry no readable data."""
    return hashlib.sha256((value or "").encode()).hexdigest()[:16]


def make_user_token(user: User, purpose: str) -> str:
    """A signed link token for `user`, bound to their e-mail address and current password."""
    return _serializer(purpose).dumps(
        {"u": user.id, "e": _fingerprint(user.email), "p": _fingerprint(user.password_hash)}
    )


def read_user_token(
    token: str, purpose: str, max_age: int | None = None, *, single_use: bool = True
) -> tuple[str, User | None]:
    """Return (problem, user): problem is "", "expired" or "invalid".

    A `single_use` token dies once the password changes (a reset link works once); every token
    dies when the e-mail address changes.
    """
    max_age = max_age or current_app.config["TOKEN_MAX_AGE_SECONDS"]
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        return "expired", None
    except BadSignature:
        return "invalid", None
    user = db.session.get(User, data.get("u"))
    if user is None or _fingerprint(user.email) != data.get("e"):
        return "invalid", None
    if single_use and data.get("p") != _fingerprint(user.password_hash):
        return "invalid", None
    return "", user


def new_secret_token() -> tuple[str, str]:
    """A random URL token and the hash under which it is stored (the token itself never is)."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    """The SHA-256 under which a secret link token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()
