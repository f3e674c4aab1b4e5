"""Small real files for upload tests, made on the fly."""

from __future__ import annotations

import io
import zipfile

import pikepdf
from PIL import Image


def pdf_with_author(author: str | None = "Ava Martinez", pages: int = 1) -> bytes:
    """A real PDF; unless `author` is None, its document information and XMP name its author
    (as word processors write them)."""
    document = pikepdf.new()
    for _ in range(pages):
        document.add_blank_page(page_size=(200, 100))
    if author is not None:
        document.docinfo["/Author"] = author
        document.docinfo["/Title"] = "Our pitch"
        with document.open_metadata() as meta:
            meta["dc:creator"] = [author]
    out = io.BytesIO()
    document.save(out, static_id=True)
    return out.getvalue()


PDF = pdf_with_author(None)  # nothing personal in it: kept byte for byte


def png(size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "teal").save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG carrying EXIF with a GPS position (what a phone camera writes)."""
    image = Image.new("RGB", (32, 24), "orange")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def grainy_jpeg() -> bytes:
    """A noisy JPEG saved at very low quality: re-encoding it (at the usual quality) makes
    it larger, so the checked size is more than the size announced."""
    image = Image.effect_noise((64, 48), 80).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=5)
    return out.getvalue()


def executable_like(size: int) -> bytes:
    """`size` bytes that start like a Windows program: what must never replace a checked file."""
    return (b"MZ\x90\x00" + b"\x00" * size)[:size]


def zip_bomb() -> bytes:
    """50 MB of zeros that pack into a few dozen kilobytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (50 * 1024 * 1024))
    return out.getvalue()


def code_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", "print('hello clinic')\n" * 20)
        archive.writestr("README.md", "# CheckIn Buddy\n")
    return out.getvalue()


SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def pptx_with_author(author: str = "Ava Martinez") -> bytes:
    """A small deck shaped like PowerPoint's: its core and app properties name the author and
    the last editor, and its comment authors list them."""
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
        "</cp:coreProperties>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as deck:
        deck.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/ppt/presentation.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>',
        )
        deck.writestr("_rels/.rels", "<Relationships/>")
        deck.writestr("docProps/core.xml", core)
        deck.writestr(
            "docProps/app.xml", f"<Properties><Company>{author} Ltd</Company></Properties>"
        )
        deck.writestr("ppt/presentation.xml", "<p:presentation/>")
        deck.writestr(
            "ppt/commentAuthors.xml",
            f'<p:cmAuthorLst><p:cmAuthor name="{author}" initials="AM"/></p:cmAuthorLst>',
        )
    return out.getvalue()
