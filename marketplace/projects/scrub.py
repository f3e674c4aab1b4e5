"""Personal metadata out of the documents students send: a PDF's author, creator tool and
XMP packet, and an office deck's author and last editor, are not served to employers (images
lose their EXIF by being re-encoded, in files.py). A PDF also loses whatever it would run by
itself (JavaScript, launched programs, embedded files). What stays is the document itself."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

import pikepdf

# The parts of an office file that name people: OOXML (PowerPoint) and ODF (OpenDocument).
OFFICE_PEOPLE_PARTS = {
    "docProps/core.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        b'metadata/core-properties"/>'
    ),
    "docProps/app.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'extended-properties"/>'
    ),
    "docProps/custom.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'custom-properties"/>'
    ),
    "meta.xml": (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        b' office:version="1.2"><office:meta/></office:document-meta>'
    ),
}
# Comments' authors: PowerPoint's classic and modern comments keep them apart from the slides
# (the modern ones with a sign-in address); OpenDocument writes them into the content.
OFFICE_COMMENT_AUTHORS = frozenset({"ppt/commentAuthors.xml", "ppt/authors.xml"})
ODF_CONTENT = frozenset({"content.xml", "styles.xml"})


class Unreadable(Exception):
    """The document could not be read (damaged, or not what it claims)."""


# Actions a viewer may run on its own: scripts, programs launched, data sent or fetched, media
# renditions (which may carry scripts).
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/Rendition"}
)
# Keys that hold scripts or actions run on events, wherever they appear.
TRIGGERS = ("/AA", "/JS", "/OpenAction")


def _reachable(document: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every dictionary reachable from the document's root (pages, annotations, outlines, form
    fields, actions and their /Next chains), each once."""
    seen: set[tuple[int, int]] = set()
    stack: list[pikepdf.Object] = [document.Root]
    containers = (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)
    while stack:
        item = stack.pop()
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        if isinstance(item, pikepdf.Array):
            children = list(item)
        else:
            if isinstance(item, pikepdf.Dictionary):
                yield item
            children = [item[str(key)] for key in item.keys() if key != "/Parent"]  # noqa: SIM118
        stack.extend(child for child in children if isinstance(child, containers))


def _neutralise(document: pikepdf.Pdf) -> bool:
    """Remove what a PDF would run or open by itself, wherever it hides: the opening action,
    additional actions and scripts on any object (document, pages, annotations, form fields,
    outline items, chained /Next actions), actions that run scripts or programs, document-level
    scripts, embedded files and XFA forms. True if anything was removed."""
    removed = False
    names = document.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for name in ("/JavaScript", "/EmbeddedFiles"):
            if name in names:
                del names[name]
                removed = True
    form = document.Root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary) and "/XFA" in form:
        del form["/XFA"]
        removed = True
    for item in list(_reachable(document)):
        for key in TRIGGERS:
            if key in item:
                del item[key]
                removed = True
        if str(item.get("/S", "")) in ACTIVE_ACTIONS:  # an action: made a no-op
            for key in list(item.keys()):
                if key not in ("/Type", "/Next"):
                    del item[key]
            removed = True
        if item.get("/Subtype") == pikepdf.Name.FileAttachment:
            item.Subtype = pikepdf.Name.Text  # the note stays, its file goes
            if "/FS" in item:
                del item["/FS"]
            removed = True
    return removed


def pdf(handle: IO[bytes]) -> bytes | None:
    """The PDF without its document information (Author, Creator, Producer, Title…), its XMP
    metadata and anything it would run by itself (scripts, launched programs, embedded files),
    its pages untouched; None when it carries none of these (kept as sent)."""
    handle.seek(0)
    try:
        with pikepdf.open(io.BytesIO(handle.read())) as document:
            personal = "/Info" in document.trailer or "/Metadata" in document.Root
            if "/Info" in document.trailer:
                del document.trailer["/Info"]
            if "/Metadata" in document.Root:
                del document.Root["/Metadata"]
            active = _neutralise(document)
            if not (personal or active):
                return None
            out = io.BytesIO()
            document.save(out, fix_metadata_version=False, deterministic_id=True)
    except pikepdf.PdfError as error:
        raise Unreadable(str(error)) from error
    return out.getvalue()


def office(handle: IO[bytes]) -> bytes:
    """The deck rewritten with its people-naming parts emptied (core and app properties, ODF
    meta, comment authors); every other part copied as it was."""
    handle.seek(0)
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(handle) as source, zipfile.ZipFile(out, "w") as target:
            for entry in source.infolist():
                data = source.read(entry)
                if entry.filename in OFFICE_PEOPLE_PARTS:
                    data = OFFICE_PEOPLE_PARTS[entry.filename]
                elif entry.filename in OFFICE_COMMENT_AUTHORS:
                    data = _anonymous_comment_authors(data)
                elif entry.filename in ODF_CONTENT:
                    data = re.sub(rb"<dc:creator>[^<]*</dc:creator>", b"<dc:creator/>", data)
                # ODF needs its "mimetype" first and stored: keep each entry's own settings.
                target.writestr(entry, data, compress_type=entry.compress_type)
    except (
        zipfile.BadZipFile,
        KeyError,
        zlib.error,
        RuntimeError,
        NotImplementedError,
        EOFError,
        ValueError,
    ) as error:  # damaged, encrypted or oddly compressed entries
        raise Unreadable(str(error)) from error
    return out.getvalue()


def _anonymous_comment_authors(data: bytes) -> bytes:
    """PowerPoint's comment authors with their names and initials blanked."""
    data = re.sub(rb'name="[^"]*"', b'name="Author"', data)
    data = re.sub(rb'userId="[^"]*"', b'userId=""', data)
    return re.sub(rb'initials="[^"]*"', b'initials="A"', data)
