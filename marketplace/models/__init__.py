"""The models, one module per aggregate; import them from here."""

from .base import utcnow
from .challenge import (
    CHALLENGE_TRANSITIONS,
    DELIVERABLES,
    AdoptionRequest,
    Challenge,
    ChallengeStatus,
)
from .classroom import Classroom, Enrollment
from .organisation import (
    JoinRequest,
    Organisation,
    OrganisationStatus,
    Partnership,
    VerificationStatus,
)
from .project import (
    PROJECT_TRANSITIONS,
    FileStatus,
    Project,
    ProjectFile,
    ProjectSnapshot,
    ProjectStatus,
)
from .school import School
from .team import Team, TeamMembership
from .user import STAFF_ROLES, Invitation, Role, User

__all__ = [
    "CHALLENGE_TRANSITIONS",
    "DELIVERABLES",
    "PROJECT_TRANSITIONS",
    "STAFF_ROLES",
    "AdoptionRequest",
    "Challenge",
    "ChallengeStatus",
    "Classroom",
    "Enrollment",
    "FileStatus",
    "Invitation",
    "JoinRequest",
    "Organisation",
    "OrganisationStatus",
    "Partnership",
    "Project",
    "ProjectFile",
    "ProjectSnapshot",
    "ProjectStatus",
    "Role",
    "School",
    "Team",
    "TeamMembership",
    "User",
    "VerificationStatus",
    "utcnow",
]
