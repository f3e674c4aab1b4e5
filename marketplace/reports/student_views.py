"""The students report's pages: how many students reached each rung by grade, career cluster
and class; the students behind each figure; who has not been in a project yet; and the CSV."""

from __future__ import annotations

from flask import abort, render_template, request
from werkzeug.wrappers import Response

from ..csv_stream import csv_response
from . import students as student_reports
from .views import bp, report_page, report_readers, school_arg, scoped


def _by() -> str:
    by = request.args.get("by", "grade")
    return by if by in student_reports.BREAKDOWNS else "grade"


@bp.get("/reports/students")
@report_readers
def students() -> str:
    scope, filters = scoped()
    by = _by()
    missing, missing_count = student_reports.not_in_a_project(scope, filters)
    return report_page(
        "students",
        scope,
        filters,
        by=by,
        breakdown=student_reports.breakdown(scope, filters, by),
        columns=student_reports.COLUMNS,
        missing=missing,
        missing_count=missing_count,
        limit=student_reports.ROWS_LIMIT,
    )


@bp.get("/reports/students/rows")
@report_readers
def student_rows() -> str:
    """The students behind one figure of the report."""
    scope, filters = scoped()
    by, column, key = _by(), request.args.get("column", ""), request.args.get("key")
    if column not in dict(student_reports.COLUMNS):
        abort(404)
    found, total = student_reports.behind(scope, filters, by, key, column)
    return render_template(
        "reports/student_rows.html",
        students=found,
        total=total,
        limit=student_reports.ROWS_LIMIT,
        what=dict(student_reports.COLUMNS)[column],
        row_label=student_reports.label_of(scope, by, key),
        args={**filters.as_args(), **school_arg(scope), "by": by},
    )


@bp.get("/reports/students.csv")
@report_readers
def students_csv() -> Response:
    scope, filters = scoped()
    by = _by()
    result = student_reports.breakdown(scope, filters, by)
    keys = [k for k, _ in student_reports.COLUMNS]
    rows = ((r.label, *(r[k] for k in keys)) for r in [*result.rows, result.total])
    header = ({"grade": "grade", "class": "class", "cluster": "career_cluster"}[by], *keys)
    return csv_response(f"students-by-{by}.csv", header, rows)
