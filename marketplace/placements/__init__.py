"""Placements that count for credit: what an accepted individual offer becomes, and everything a
state's work-based-learning manual asks the school to keep about it.

The package's modules, one part each: `plans` (what an agreement starts from), `records` (opening
a placement and changing its agreement), `signing` (signatures, in the app and by link), `links`
(the personal links of people without an account), `consent` (a guardian's consent to an offer
by link), `hours` (logging, verifying, locking), `evaluations` (rubric, reflection, rating, site
visits), `completion` (completing and the certificate), `documents` (the PDFs) and `rules` (who
sees and does what); `page` draws the placement's page, and the `*_views` modules are its
routes. Each change is made with a conditional UPDATE where two people could race.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the pages, and open a student's placement when they accept an individual offer."""
    from .. import events
    from . import hours_views, personal_views, records, review_views, views

    assert hours_views.bp is views.bp is review_views.bp  # the placement pages are one blueprint

    app.register_blueprint(views.bp)
    app.register_blueprint(personal_views.bp)
    events.subscribe(events.OfferAcceptedBy, records.on_accepted)
