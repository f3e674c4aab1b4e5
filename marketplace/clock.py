"""Time as people live it: stored in UTC, read and decided in a place's own time zone.

A school and an organisation each have an IANA zone. A person reads every time in theirs (their
school's, their organisation's; others the deployment's default); "today", "due" and
"expired" are decided in the school's zone, so a deadline ends at midnight where the school is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from flask import current_app

from config import DEFAULT_TIMEZONE

from .models import School, User, utcnow


@cache
def zone(name: str) -> ZoneInfo:
    """The zone of an IANA name ("America/Los_Angeles")."""
    return ZoneInfo(name)


def default_zone() -> ZoneInfo:
    """The deployment's zone (DEFAULT_TIMEZONE): for people of no school or organisation."""
    return zone(current_app.config.get("DEFAULT_TIMEZONE") or DEFAULT_TIMEZONE)


def zone_of(user: User | None) -> ZoneInfo:
    """The zone `user` reads times in: their school's, their organisation's, or the default."""
    if user is None or not user.is_authenticated:
        return default_zone()
    if user.school is not None:
        return zone(user.school.timezone)
    if user.organisation is not None and user.organisation.timezone:
        return zone(user.organisation.timezone)
    return default_zone()


def today_in(where: ZoneInfo, now: datetime | None = None) -> date:
    """The date it is in a zone."""
    return (now or utcnow()).astimezone(where).date()


def today_for(user: User | None, now: datetime | None = None) -> date:
    """The date it is where `user` reads times."""
    return today_in(zone_of(user), now)


def school_today(school: School, now: datetime | None = None) -> date:
    """The date it is at the school: what "today", "due" and "expired" mean there."""
    return today_in(zone(school.timezone), now)


def start_of(day: date, where: ZoneInfo) -> datetime:
    """The instant (UTC) a day begins in a zone: its midnight."""
    return datetime.combine(day, time(0), tzinfo=where).astimezone(UTC)


def end_of(day: date, where: ZoneInfo) -> datetime:
    """The instant (UTC) a day ends in a zone: midnight at the start of the next one."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=where).astimezone(UTC)


def local(moment: datetime, where: ZoneInfo) -> datetime:
    """A stored (UTC) instant as the clock on the wall reads it in a zone."""
    return moment.astimezone(where)


def place_name(where: ZoneInfo) -> str:
    """A zone as people say it: "Los Angeles time" for America/Los_Angeles."""
    return f"{where.key.rsplit('/', 1)[-1].replace('_', ' ')} time"


@cache
def zone_choices() -> tuple[str, ...]:
    """The IANA zones to choose from: regions' cities, sorted."""
    regions = ("Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
    return tuple(sorted(name for name in available_timezones() if name.startswith(regions)))
