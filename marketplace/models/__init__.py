"""The models, one module per aggregate; import them from here."""

from .base import utcnow
from .challenge import (
    CHALLENGE_TRANSITIONS,
    DELIVERABLES,
    AdoptionRequest,
    Challenge,
    ChallengeInterest,
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
    Offer,
    OfferRecipient,
    OfferStatus,
    Rung,
)
from .message import (
    MemberMute,
    Message,
    MessageAttachment,
    MessageFlag,
    MessageState,
    Thread,
    ThreadKind,
    ThreadRead,
)
from .notification import MailFrequency, MailState, Notification, NotificationMail, OutgoingMail
from .organisation import (
    JoinRequest,
    Organisation,
    OrganisationStatus,
    Partnership,
    VerificationStatus,
)
from .project import (
    PROJECT_TRANSITIONS,
    Project,
    ProjectFile,
    ProjectSnapshot,
    ProjectStatus,
)
from .school import School
from .stored_file import FileStatus
from .team import Team, TeamJoinRequest, TeamMembership
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
    "ChallengeInterest",
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
    "MailFrequency",
    "MailState",
    "MemberMute",
    "Message",
    "MessageAttachment",
    "MessageFlag",
    "MessageState",
    "Notification",
    "NotificationMail",
    "Offer",
    "OfferRecipient",
    "OfferStatus",
    "Organisation",
    "OrganisationStatus",
    "OutgoingMail",
    "Partnership",
    "Project",
    "ProjectFile",
    "ProjectSnapshot",
    "ProjectStatus",
    "Role",
    "Rung",
    "School",
    "Team",
    "TeamJoinRequest",
    "TeamMembership",
    "Thread",
    "ThreadKind",
    "ThreadRead",
    "User",
    "VerificationStatus",
    "utcnow",
]
