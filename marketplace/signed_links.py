"""Signed links for people without an account: one mechanism for every purpose.

A token names a purpose (its salt: a token for one purpose is worthless for another), a row and
that row's `nonce`. The row holds what makes the link valid — its expiry, its revocation (a new
nonce kills every link sent before), whether its act was already done — so a link can be revoked
and is checked against the database each time it is opened. Tokens are signed, not encrypted:
they carry ids, never names or addresses.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from .extensions import db


def _signer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"marketplace.{purpose}")


def sign(purpose: str, row_id: int, nonce: str) -> str:
    """The token of a link to row `row_id` for `purpose`, valid while the row keeps `nonce`."""
    return str(_signer(purpose).dumps([row_id, nonce]))


def read(purpose: str, token: str) -> tuple[int, str] | None:
    """The (row id, nonce) a token for `purpose` names, or None if it is forged or mangled."""
    try:
        data = _signer(purpose).loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not isinstance(data[0], int)
        or not isinstance(data[1], str)
    ):
        return None
    return data[0], data[1]


M = TypeVar("M")


def load(
    purpose: str,
    token: str,
    model: type[M],
    nonce: Callable[[M], str] = lambda row: row.nonce,  # type: ignore[attr-defined]
) -> M | None:
    """The row a token for `purpose` names, if the row still holds the token's nonce."""
    found = read(purpose, token)
    if found is None:
        return None
    row = db.session.get(model, found[0])
    if row is None or not secrets.compare_digest(nonce(row), found[1]):
        return None
    return row
