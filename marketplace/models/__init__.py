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
from .engagement import (
    LADDER,
    OFFER_RUNGS,
    OPEN_OFFER_STATES,
    BackgroundCheck,
    Completion,
    Engagement,
    EngagementEvent,
    EngagementStatus,
    GuardianConsent,
    Notification,
    Offer,
    OfferRecipient,
    OfferStatus,
    Rung,
)
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
    "LADDER",
    "OFFER_RUNGS",
    "OPEN_OFFER_STATES",
    "PROJECT_TRANSITIONS",
    "STAFF_ROLES",
    "AdoptionRequest",
    "BackgroundCheck",
    "Challenge",
    "ChallengeStatus",
    "Classroom",
    "Completion",
    "Engagement",
    "EngagementEvent",
    "EngagementStatus",
    "Enrollment",
    "FileStatus",
    "GuardianConsent",
    "Invitation",
    "JoinRequest",
    "Notification",
    "Offer",
    "OfferRecipient",
    "OfferStatus",
    "Organisation",
    "OrganisationStatus",
    "Partnership",
    "Project",
    "ProjectFile",
    "ProjectSnapshot",
    "ProjectStatus",
    "Role",
    "Rung",
    "School",
    "Team",
    "TeamMembership",
    "User",
    "VerificationStatus",
    "utcnow",
]
