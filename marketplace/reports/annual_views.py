"""The annual report of a school's program as a PDF (WeasyPrint, from an HTML template): a
teacher's or school admin's own school; a site admin chooses the school (`?school=`). The
school year is `?year=2026` for 2026–27, the current one unless told."""

from __future__ import annotations

from flask import make_response, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import clock
from ..extensions import db
from ..forms_common import bounded_int
from ..models import School
from ..placements.documents import pdf_of
from . import annual as annuals
from .scope import school_year_of
from .views import bp, reader_scope, report_readers


@bp.get("/reports/annual.pdf")
@report_readers
def annual() -> Response | tuple[str, int]:
    """The school's annual report of its program, to print or send on."""
    scope = reader_scope()
    if scope.school_id is None:
        return render_template(
            "errors/error.html",
            code=400,
            title="Choose a school",
            message="The annual report is one school's. Choose the school on a report's page "
            "(the school filter), then open its annual report.",
        ), 400
    school = db.session.get_one(School, scope.school_id)
    year = request.args.get("year", type=bounded_int)
    if year is None or not 2000 <= year <= 2100:
        year = school_year_of(clock.school_today(school))
    report = annuals.report(school, year, current_user)
    response = make_response(pdf_of("reports/annual.html", report=report))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'inline; filename="annual-report-{school.slug}-{year}-{year + 1}.pdf"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
