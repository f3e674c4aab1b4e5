"""Every transition of the traction ladder, one function each: the only place the rules act.

Each function checks who is acting and from which state, makes the change with a conditional
UPDATE on the state it read (two racing requests never both win), writes the timeline row and
the outbox rows for the notifications, and flushes. The view commits. Repeating a request that
already took effect raises AlreadyDone instead of acting twice.

The package's modules are the ladder's parts: `steps` (what every transition is made of),
`progress` (the engagement's own steps), `offers` (making an offer), `answers` (answering it,
and deadlines) and `gates` (consent and background checks); callers use the names below.
"""

from .answers import accept, decline, expire, expire_overdue, step_out
from .gates import attest_background_check, record_consent
from .offers import approve, draft_offer, propose, update_offer, withdraw
from .progress import (
    allow_skip,
    close,
    close_for_school,
    confirm_complete,
    follow_placements,
    mark_complete,
    placements_at,
    show_interest,
)
from .steps import OFFER_TRANSITIONS, AlreadyDone, Expired, LadderError

__all__ = [
    "OFFER_TRANSITIONS",
    "AlreadyDone",
    "Expired",
    "LadderError",
    "accept",
    "allow_skip",
    "approve",
    "attest_background_check",
    "close",
    "close_for_school",
    "confirm_complete",
    "decline",
    "draft_offer",
    "expire",
    "expire_overdue",
    "follow_placements",
    "mark_complete",
    "placements_at",
    "propose",
    "record_consent",
    "show_interest",
    "step_out",
    "update_offer",
    "withdraw",
]
