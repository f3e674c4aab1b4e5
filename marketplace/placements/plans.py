"""What a new placement's agreement starts from: a training plan drawn from the project's career
cluster, a safety checklist, and the employability-skills rubric of the evaluations. Every one is
editable (the plan and checklist per placement, the rubric per school)."""

from __future__ import annotations

from ..models.school import EMPLOYABILITY_SKILLS

DEFAULT_RUBRIC = EMPLOYABILITY_SKILLS

# 1 … 4, as the evaluation forms and the certificate say them.
RUBRIC_LEVELS: dict[int, str] = {
    1: "Beginning",
    2: "Developing",
    3: "Proficient",
    4: "Exceeds expectations",
}

SAFETY_ITEMS: tuple[str, ...] = (
    "Workplace hazards and how to report them",
    "Emergency exits, assembly point and first aid",
    "Protective equipment the role needs",
    "Who to go to with a concern (harassment, safety, pay)",
    "Tasks and equipment a minor may not use",
)

GENERAL_OBJECTIVES: tuple[str, ...] = (
    "Follow the workplace's policies, schedule and dress code",
    "Communicate clearly with the supervisor and colleagues",
)

CLUSTER_OBJECTIVES: dict[str, tuple[str, ...]] = {
    "Advanced Manufacturing": (
        "Follow a standard operating procedure and its quality checks",
        "Read a technical drawing or work order",
    ),
    "Agriculture": (
        "Take part in daily care of plants or animals with the safety rules",
        "Record observations in the operation's logs",
    ),
    "Arts, Entertainment & Design": (
        "Take a piece of work from brief to delivery",
        "Present work and revise it after critique",
    ),
    "Construction": (
        "Use hand tools safely under supervision",
        "Read plans and take measurements on site",
    ),
    "Digital Technology": (
        "Fix or build a small feature in the team's codebase or systems",
        "Use version control and a ticketing system",
    ),
    "Education": (
        "Help plan and lead a short learning activity",
        "Observe and reflect on classroom practice",
    ),
    "Energy & Natural Resources": (
        "Assist with field or plant measurements and record them",
        "Explain the site's environmental and safety controls",
    ),
    "Financial Services": (
        "Prepare a simple financial summary or reconciliation",
        "Handle customer information confidentially",
    ),
    "Healthcare & Human Services": (
        "Observe patient or client care and its privacy rules",
        "Assist with intake, records or scheduling",
    ),
    "Hospitality, Events & Tourism": (
        "Serve guests to the business's service standard",
        "Help plan and run part of an event",
    ),
    "Management & Entrepreneurship": (
        "Analyse a business problem and propose a solution",
        "Take part in team meetings and follow up on actions",
    ),
    "Marketing & Sales": (
        "Draft content or a campaign for a real audience",
        "Read the results of a campaign and report them",
    ),
    "Public Service & Safety": (
        "Shadow a public service and describe its procedures",
        "Take part in a community-facing task",
    ),
    "Supply Chain & Transportation": (
        "Track goods through receiving, storage and shipping",
        "Use the inventory or routing system",
    ),
}


def training_plan_for(cluster: str) -> list[str]:
    """The objectives a new agreement proposes for a project of `cluster`."""
    return [*CLUSTER_OBJECTIVES.get(cluster, ()), *GENERAL_OBJECTIVES]
