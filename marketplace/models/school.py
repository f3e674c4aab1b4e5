"""A school: the tenant every classroom, teacher and student belongs to."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from config import DEFAULT_TIMEZONE

from ..extensions import Model
from .base import UTCDateTime, utcnow

# The codes of the work-based-learning record export, unless the school sets the state's own.
DEFAULT_WBL_CODES: dict[str, str] = {
    "job_shadowing": "JS",
    "externship": "EXT",
    "internship": "INT",
}

# The employability skills a placement's evaluations score, unless the school sets its own.
EMPLOYABILITY_SKILLS: tuple[str, ...] = (
    "Communication",
    "Teamwork and collaboration",
    "Problem solving and critical thinking",
    "Professionalism and work ethic",
    "Reliability and punctuality",
    "Initiative and self-direction",
    "Technical and job-specific skills",
    "Takes feedback and learns",
)


class School(Model):
    """A school of the deployment (a district or region serves several)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    city: Mapped[str] = mapped_column(sa.String(120), default="")
    # The IANA zone the school lives in: its people read times in it, its deadlines end at
    # midnight in it.
    timezone: Mapped[str] = mapped_column(
        sa.String(64), default=DEFAULT_TIMEZONE, server_default=DEFAULT_TIMEZONE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Ladder settings: the youngest age for each workplace rung, and days without an event
    # after which an engagement counts as stalled.
    min_age_job_shadowing: Mapped[int] = mapped_column(default=14, server_default="14")
    min_age_externship: Mapped[int] = mapped_column(default=16, server_default="16")
    min_age_internship: Mapped[int] = mapped_column(default=16, server_default="16")
    stall_days: Mapped[int] = mapped_column(default=14, server_default="14")
    # Who checks a held message: the team's own teachers and the school's admins (False), or
    # every member of staff (True).
    held_checked_by_all_staff: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    # Pitch videos: the longest (seconds) and largest (megabytes) a team may show.
    video_max_seconds: Mapped[int] = mapped_column(default=180, server_default="180")
    video_max_mb: Mapped[int] = mapped_column(default=200, server_default="200")
    # Placements: the most hours a minor may work on a school day and in a week, for students
    # under 16 and for those of 16 or 17, and whether going over is refused or only warned.
    under_16_day_hours: Mapped[int] = mapped_column(default=3, server_default="3")
    under_16_week_hours: Mapped[int] = mapped_column(default=18, server_default="18")
    minor_day_hours: Mapped[int] = mapped_column(default=4, server_default="4")
    minor_week_hours: Mapped[int] = mapped_column(default=28, server_default="28")
    refuse_over_limit: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Site visits the coordinator aims for per placement, and the evaluation rubric's skills
    # (empty: the default employability skills).
    site_visit_target: Mapped[int] = mapped_column(default=2, server_default="2")
    rubric: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default="[]")
    # The codes the state's work-based-learning record uses for each workplace rung (the
    # defaults unless the school sets its own).
    wbl_codes: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict, server_default="{}")

    def __repr__(self) -> str:
        return f"<School {self.slug}>"

    def wbl_code(self, rung: str) -> str:
        """The state record's code of a workplace rung (`job_shadowing`, …)."""
        return (self.wbl_codes or {}).get(rung) or DEFAULT_WBL_CODES.get(rung, "")

    @property
    def skills(self) -> list[str]:
        """The skills the school's placement evaluations score: its own, or the default."""
        return list(self.rubric) or list(EMPLOYABILITY_SKILLS)

    def min_age_for(self, rung: str) -> int:
        """The youngest a student may be to accept an offer for `rung` (0: no limit)."""
        return int(getattr(self, f"min_age_{rung}", 0) or 0)
