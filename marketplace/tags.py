"""Skills as tags, shared by challenges and projects."""

from __future__ import annotations

from collections.abc import Iterable


def normalise_skills(raw: Iterable[str]) -> list[str]:
    """Skills as tags: trimmed, lower case, no duplicates, in the order given."""
    seen: dict[str, None] = {}
    for skill in raw:
        tag = " ".join(skill.split()).lower()
        if tag:
            seen.setdefault(tag[:40], None)
    return list(seen)[:20]
