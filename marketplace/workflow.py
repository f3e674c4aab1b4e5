"""The one way a row changes state: a conditional UPDATE on the state the caller saw.

Two requests acting on the same row at once both read "open"; only the first UPDATE finds it
still "open", the second changes nothing and is told so. Reading, then writing, is not enough.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from .extensions import db, rows_matched
from .models import User, VerificationStatus, utcnow

# A request (to join an organisation, to adopt a challenge) is answered once.
ANSWERS: dict[VerificationStatus, frozenset[VerificationStatus]] = {
    VerificationStatus.PENDING: frozenset(
        {VerificationStatus.VERIFIED, VerificationStatus.DECLINED}
    ),
    VerificationStatus.VERIFIED: frozenset(),
    VerificationStatus.DECLINED: frozenset(),
    VerificationStatus.NOT_ASKED: frozenset(),
}


class StaleState(Exception):
    """Someone moved the row first."""


def update_if(row: Any, *still: Any, **values: Any) -> bool:
    """UPDATE `row` to `values` only while the conditions `still` hold (what the caller saw:
    a state, an unused token, an empty sponsor); whether it did. Of two requests racing, the
    second finds the conditions gone and changes nothing. The session's copy of `row` is not
    refreshed: the caller does, once it knows which way it went."""
    model = type(row)
    statement = (
        sa.update(model)
        .where(model.id == row.id, *still)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return rows_matched(statement) == 1


def move(
    row: Any,
    to: enum.Enum,
    transitions: Mapping[Any, frozenset[Any]],
    message: str = "A {current} item cannot become {to}.",
    **values: Any,
) -> None:
    """Move `row.status` to `to` if the table allows it and nobody moved it first."""
    current = row.status
    if to not in transitions[current]:
        raise ValueError(message.format(current=current.value, to=to.value))
    model = type(row)
    if hasattr(model, "updated_at"):
        values.setdefault("updated_at", utcnow())
    if not update_if(row, model.status == current, status=to, **values):
        raise StaleState
    db.session.refresh(row)


class AlreadyAnswered(Exception):
    """The request was answered before (maybe a moment ago, by someone else)."""


def answer(row: Any, decider: User, accept: bool) -> None:
    """Accept or decline a pending request; of two answers at once, only the first counts."""
    to = VerificationStatus.VERIFIED if accept else VerificationStatus.DECLINED
    try:
        move(row, to, ANSWERS, decided_at=utcnow(), decided_by_id=decider.id)
    except (ValueError, StaleState):
        raise AlreadyAnswered from None
