"""The kinds of file a project (or a message) may carry, and how we name them and their sizes.

`ALLOWED` is the allowlist `files` checks uploads against; the names and `human_size` are
what the pages and the refusals say, so a student reads "notes.pdf is not a PDF" and
"12.4 MB, over the 10 MB limit" rather than a MIME type or a count of bytes.
"""

from __future__ import annotations

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODP = "application/vnd.oasis.opendocument.presentation"
# extension → (kind, the types its magic bytes may show)
ALLOWED: dict[str, tuple[str, frozenset[str]]] = {
    "pdf": ("pdf", frozenset({"application/pdf"})),
    "pptx": ("slides", frozenset({PPTX})),
    "odp": ("slides", frozenset({ODP})),
    "png": ("image", frozenset({"image/png"})),
    "jpg": ("image", frozenset({"image/jpeg"})),
    "jpeg": ("image", frozenset({"image/jpeg"})),
    "gif": ("image", frozenset({"image/gif"})),
    "webp": ("image", frozenset({"image/webp"})),
    "mp4": ("video", frozenset({"video/mp4"})),
    "mov": ("video", frozenset({"video/quicktime"})),
    "webm": ("video", frozenset({"video/webm"})),
    "zip": ("archive", frozenset({"application/zip"})),
    "vtt": ("captions", frozenset({"text/vtt"})),
}
KIND_NAMES = {
    "pdf": "PDF",
    "slides": "PowerPoint or OpenDocument slides",
    "image": "images",
    "video": "video",
    "archive": "zip archives",
    "captions": "WebVTT captions",
}
# what a file of each accepted type is, in a sentence: "notes.pdf is not a PDF"
TYPE_NAMES = {
    "application/pdf": "a PDF",
    PPTX: "a PowerPoint file",
    ODP: "an OpenDocument presentation",
    "image/png": "a PNG image",
    "image/jpeg": "a JPEG image",
    "image/gif": "a GIF image",
    "image/webp": "a WebP image",
    "video/mp4": "an MP4 video",
    "video/quicktime": "a QuickTime (.mov) video",
    "video/webm": "a WebM video",
    "application/zip": "a zip archive",
    "text/vtt": "a WebVTT captions file",
}
UNITS = ("KB", "MB", "GB", "TB")


def allowed_summary() -> str:
    """The accepted kinds, for a refusal: "PDF, … images (.png, .jpg, …), video (…), …"."""
    extensions: dict[str, list[str]] = {}
    for ext, (kind, _) in ALLOWED.items():
        extensions.setdefault(kind, []).append(f".{ext}")
    return ", ".join(
        f"{KIND_NAMES[kind]} ({', '.join(exts)})" if len(exts) > 1 else KIND_NAMES[kind]
        for kind, exts in extensions.items()
    )


def type_name(mime: str, extension: str) -> str:
    """What a file is, by the type its bytes show: "a PNG image", "a .exe file"."""
    return TYPE_NAMES.get(mime, f"a .{extension} file")


def expected_name(extension: str) -> str:
    """What a file with this (accepted) extension should be: "a PDF"."""
    [mime] = ALLOWED[extension][1]
    return TYPE_NAMES[mime]


def human_size(size: int | None) -> str:
    """A size in the units people read: "1 byte", "303 bytes", "1.2 MB" (1 KB is 1024 bytes)."""
    if size is None:
        return ""
    if abs(size) < 1024:
        return "1 byte" if size == 1 else f"{size:,} bytes"
    value = float(size)
    for unit in UNITS:
        value /= 1024
        if abs(value) < 1024 or unit == UNITS[-1]:
            break
    return f"{value:,.1f}".removesuffix(".0") + f" {unit}"


def too_large(filename: str, size: int, limit: int) -> str:
    """A refusal naming the file, its size and the limit: "deck.pdf is 12 MB, over the …"."""
    said, limit_said = human_size(size), human_size(limit)
    over = "just over" if said == limit_said else "over"
    return f"{filename} is {said}, {over} the {limit_said} limit for one file."
