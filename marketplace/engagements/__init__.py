"""The traction ladder: engagements, offers, their gates, timeline and pages."""

import sqlalchemy as sa
from flask import Flask

from .. import events
from ..extensions import db
from ..models import Engagement, EngagementStatus
from . import ladder, staff_views, views
from . import offer_views as offer_views  # adds its pages to views.bp


def partnership_decided(decision: events.PartnershipDecided) -> None:
    """A school that declines (or stops verifying) an organisation closes its engagements
    with that school's teams: the members see only that the school closed them."""
    if decision.verified:
        return
    partnership = decision.partnership
    active = db.session.scalars(
        sa.select(Engagement).where(
            Engagement.organisation_id == partnership.organisation_id,
            Engagement.school_id == partnership.school_id,
            Engagement.status == EngagementStatus.ACTIVE,
        )
    )
    assert partnership.decided_by is not None  # a decision names who took it
    for engagement in list(active):
        ladder.close_for_school(engagement, partnership.decided_by)


def register(app: Flask) -> None:
    """Add the feature's pages to the app, and close engagements a school walks away from."""
    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    events.subscribe(events.PartnershipDecided, partnership_decided)
