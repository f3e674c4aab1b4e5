"""What changed between a project's last two submissions, shown the way the teacher reads it.

Each changed field is rendered as on the project page (the story through the sanitising
Markdown renderer, the other fields as text), then compared word by word with difflib:
removed words are struck through (<del>), added ones underlined (<ins>, in app.css), so a change
never rests on colour alone. Each submission records its files and their roles in the pitch,
so added and removed files, and a new cover, deck or video, are listed too. A field empty on
both sides, or unchanged, has no section.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from ..markdown import render_markdown, sanitise
from ..models import Project
from ..models.project import SNAPSHOT_FIELDS

FIELD_LABELS = {
    "title": "Title",
    "pitch": "Pitch",
    "summary": "Summary",
    "body": "The whole story",
    "skills": "Skills",
    "demo_url": "Demo link",
    "repo_url": "Code repository link",
    "video_url": "Video link",
    "ask": "What we'd like from a partner",
}
MARKDOWN_FIELDS = frozenset({"body"})
DIFF_TAGS = frozenset({"ins", "u"})
VOID_TAGS = frozenset({"br", "hr"})
# a tag (quoted attribute values may hold ">"), a run of spaces, or a word
TOKEN = re.compile(r'<(?:[^>"]|"[^"]*")*>|\s+|[^\s<]+')
TAG_NAME = re.compile(r"</?([a-zA-Z0-9]+)")


@dataclass(frozen=True)
class FieldChange:
    """One changed field: its label, and its new text with the removed and added words marked."""

    label: str
    html: Markup

    @property
    def formatting_only(self) -> bool:
        """No word changed, only the Markdown around them (bold, a list, a heading)."""
        return "<del>" not in self.html and "<ins>" not in self.html


@dataclass(frozen=True)
class FileEntry:
    """A file as a submission recorded it; the same name, size and content is the same file."""

    filename: str
    size: int
    sha256: str | None = None


@dataclass(frozen=True)
class PitchChange:
    """A pitch role that another file took, or that was filled or emptied: "Cover"."""

    label: str
    before: str | None  # the file name that had it
    after: str | None


@dataclass(frozen=True)
class Changes:
    """Everything that changed since the previous submission; false when nothing did."""

    fields: list[FieldChange] = field(default_factory=list)
    files_added: list[FileEntry] = field(default_factory=list)
    files_removed: list[FileEntry] = field(default_factory=list)
    pitch: list[PitchChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.files_added or self.files_removed or self.pitch)


PITCH_LABELS = {
    "cover": "Cover",
    "deck": "Pitch deck",
    "video": "Pitch video",
    "captions": "Captions",
}


def recorded_files(project: Project) -> list[dict[str, Any]]:
    """The project's stored files, as a submission's snapshot keeps them (with their role in
    the pitch, if any)."""
    return [
        {
            "filename": f.filename,
            "size": f.size,
            "sha256": f.sha256,
            "role": f.pitch_role.value if f.pitch_role else None,
        }
        for f in project.files
    ]


def _entry(recorded: dict[str, Any]) -> FileEntry:
    return FileEntry(recorded["filename"], recorded["size"], recorded.get("sha256"))


def _pitch_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[PitchChange]:
    """Which file holds each role, before and after (submissions recorded before roles existed
    hold none)."""
    before = {f["role"]: f["filename"] for f in old if f.get("role")}
    after = {f["role"]: f["filename"] for f in new if f.get("role")}
    return [
        PitchChange(label, before.get(role), after.get(role))
        for role, label in PITCH_LABELS.items()
        if before.get(role) != after.get(role)
    ]


def since_last_submission(project: Project) -> Changes:
    """What changed between the last two submissions: fields, then files."""
    if len(project.snapshots) < 2:
        return Changes()
    before, after = project.snapshots[-2].data, project.snapshots[-1].data
    fields = []
    for name in SNAPSHOT_FIELDS:
        old, new = as_read(name, before.get(name)), as_read(name, after.get(name))
        if old != new:
            fields.append(FieldChange(FIELD_LABELS.get(name, name), word_diff(old, new)))
    old_files, new_files = before.get("files"), after.get("files")
    if old_files is None or new_files is None:  # submitted before files were recorded
        return Changes(fields)
    earlier = [_entry(f) for f in old_files]
    latest = [_entry(f) for f in new_files]
    return Changes(
        fields,
        files_added=[f for f in latest if f not in earlier],
        files_removed=[f for f in earlier if f not in latest],
        pitch=_pitch_changes(old_files, new_files),
    )


def as_read(name: str, value: object) -> str:
    """A snapshot field as safe HTML, the way the project page shows it ("" when empty)."""
    if name in MARKDOWN_FIELDS:
        return str(render_markdown(str(value or "")))
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    return str(escape(str(value or "").strip()))


def word_diff(before: str, after: str) -> Markup:
    """`after` (safe HTML) with the words it lost from `before` in <del> and its new ones in
    <ins>; the result goes through the sanitiser again, so it is well-formed and safe."""
    old, new = TOKEN.findall(before), TOKEN.findall(after)
    matcher = difflib.SequenceMatcher(str.isspace, old, new, autojunk=False)
    out: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(new[j1:j2])
            continue
        removed = _marked(old[i1:i2], "del", keep_tags=_balanced(old[i1:i2]))
        added = _marked(new[j1:j2], "ins", keep_tags=True)
        out.extend(removed)
        if any("<del>" in part for part in removed) and any("<ins>" in part for part in added):
            out.append(" ")  # "one two", not "onetwo", when the marks are not shown
        out.extend(added)
    return sanitise("".join(out), also_allow=DIFF_TAGS)


def _marked(tokens: list[str], mark: str, keep_tags: bool) -> list[str]:
    """Each run of words between tags wrapped in `mark`; tags kept, or turned into spaces."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        text = "".join(run)
        run.clear()
        words = text.strip()
        if words:
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            out.append(f"{lead}<{mark}>{words}</{mark}>{trail}")
        elif mark == "ins" or keep_tags:
            out.append(text)

    for token in tokens:
        if token.startswith("<"):
            flush()
            if keep_tags:
                out.append(token)
            else:
                run.append(" ")
        else:
            run.append(token)
    flush()
    return out


def _balanced(tokens: list[str]) -> bool:
    """Whether the tags among `tokens` open and close in order (a whole paragraph, say)."""
    stack: list[str] = []
    for token in tokens:
        name = TAG_NAME.match(token)
        if not name or name.group(1).lower() in VOID_TAGS:
            continue
        if token.startswith("</"):
            if not stack or stack.pop() != name.group(1).lower():
                return False
        else:
            stack.append(name.group(1).lower())
    return not stack
