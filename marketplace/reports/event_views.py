"""The events report's pages on the reports blueprint: one row per pitch event with its guests,
judges, interests and the engagements they became, a chart, and the same rows as CSV."""

from __future__ import annotations

import dataclasses

from werkzeug.wrappers import Response

from ..csv_stream import csv_response
from . import events as event_reports
from .views import bp, report_page, report_readers, school_arg, scoped

CHART_EVENTS = 12  # the latest events the chart draws (the table has every one)


@bp.get("/reports/events")
@report_readers
def events() -> str:
    """Pitch events: guests, judges, interests and the engagements they became."""
    scope, filters = scoped()
    result = event_reports.report(scope, filters)
    latest = list(reversed(result.rows[:CHART_EVENTS]))
    # The funnel's rows behind an engagement figure: by source event, with the filters that
    # narrow engagements (not the dates: here they are the event's).
    undated = dataclasses.replace(filters, start=None, end=None, event_id=None)
    return report_page(
        "events",
        scope,
        filters,
        rows_args={**undated.as_args(), **school_arg(scope)},
        # The funnel's event filter offers these events only (others would be dropped).
        funnel_events={e.id for e in scope.events()},
        result=result,
        figures=event_reports.FIGURES,
        chart={
            "labels": [r.title for r in latest],
            "came": [r.guests_came + r.judges_came for r in latest],
            "interests": [r.interests for r in latest],
            "engagements": [r.engagements for r in latest],
        },
    )


@bp.get("/reports/events.csv")
@report_readers
def events_csv() -> Response:
    """The events report as CSV, one row per event, streamed."""
    scope, filters = scoped()
    return csv_response(
        "events.csv",
        event_reports.CSV_COLUMNS,
        event_reports.csv_rows(scope, filters),
    )
