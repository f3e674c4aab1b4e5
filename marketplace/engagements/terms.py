"""The terms of an offer and the rules on them: which fields make the terms, and what stops
terms from being offered (the offer form shows each message beside its field)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ..models import Offer

MAX_HOURS_PER_WEEK = 40
MAX_HOURS_PER_DAY = 10

TERM_FIELDS = (
    "title",
    "start_date",
    "end_date",
    "days_per_week",
    "hours_per_week",
    "remote",
    "address",
    "paid",
    "amount",
    "amount_unit",
    "paid_by",
    "supervisor",
    "student_needs",
    "may_continue",
    "details",
    "respond_by",
)


def terms_of(offer: Offer) -> dict[str, Any]:
    """The offer's terms as the form and the rules read them."""
    return {name: getattr(offer, name) for name in TERM_FIELDS}


def terms_problems(terms: dict[str, Any], today: date) -> dict[str, str]:
    """Field → message for terms that cannot be offered; the form shows them beside the fields."""
    problems: dict[str, str] = {}
    start, end = terms.get("start_date"), terms.get("end_date")
    if start is None:
        problems["start_date"] = "Give a start date."
    if start and end and end < start:
        problems["end_date"] = "The end date must be on or after the start date."
    days, hours = terms.get("days_per_week"), terms.get("hours_per_week")
    if days is not None and not 1 <= days <= 7:
        problems["days_per_week"] = "Days per week must be between 1 and 7."
    if hours is not None and not 1 <= hours <= MAX_HOURS_PER_WEEK:
        problems["hours_per_week"] = f"Hours per week must be between 1 and {MAX_HOURS_PER_WEEK}."
    elif hours and days and hours > days * MAX_HOURS_PER_DAY:
        problems["hours_per_week"] = (
            f"{hours} hours in {days} days is more than {MAX_HOURS_PER_DAY} hours a day."
        )
    if not terms.get("remote") and not (terms.get("address") or "").strip():
        problems["address"] = "Give the address, or mark the offer as remote."
    amount = terms.get("amount")
    if terms.get("paid"):
        if amount is None or Decimal(amount) <= 0:
            problems["amount"] = "A paid offer needs the amount."
        if not (terms.get("paid_by") or "").strip():
            problems["paid_by"] = "Say who pays."
    deadline = terms.get("respond_by")
    if deadline is None:
        problems["respond_by"] = "Give a date by which the team should answer."
    elif deadline < today:
        problems["respond_by"] = "The deadline to answer must be today or later."
    elif start and deadline > start:
        problems["respond_by"] = "The deadline to answer must be on or before the start date."
    return problems
