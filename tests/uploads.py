"""Small real files for upload tests, made on the fly."""

from __future__ import annotations

import functools
import io
import random
import subprocess
import tempfile
import zipfile
from pathlib import Path

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


def pdf_deck(texts: tuple[str, ...] = ("The problem", "Our solution", "What we ask")) -> bytes:
    """A real slide-shaped PDF, one page per text, each page saying its text."""
    document = pikepdf.new()
    font = document.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont="/Helvetica"
        )
    )
    for text in texts:
        page = document.add_blank_page(page_size=(720, 405))
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.Contents = document.make_stream(f"BT /F1 36 Tf 60 200 Td ({text}) Tj ET".encode())
    out = io.BytesIO()
    document.save(out, static_id=True)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    """A PDF that would run a script when opened, on a page, and from a link, and carries an
    embedded file: what a hostile "deck" looks like."""
    document = pikepdf.new()
    page = document.add_blank_page(page_size=(720, 405))
    script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    document.Root.OpenAction = document.make_indirect(script)
    document.Root.AA = pikepdf.Dictionary(WC=script)
    page.obj.AA = pikepdf.Dictionary(O=script)
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[0, 0, 100, 100],
        A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe")),
    )
    page.obj.Annots = document.make_indirect(pikepdf.Array([document.make_indirect(link)]))
    embedded = document.make_stream(b"MZ not really a program")
    spec = pikepdf.Dictionary(
        Type=pikepdf.Name.Filespec, F=pikepdf.String("run.exe"), EF=pikepdf.Dictionary(F=embedded)
    )
    document.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("a"), script])),
        EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("run.exe"), spec])),
    )
    # Where scripts hide beyond the obvious: an outline item, a link's chained /Next action, a
    # form field's additional actions, a media rendition.
    chained = pikepdf.Dictionary(
        S=pikepdf.Name.URI,
        URI=pikepdf.String("https://example.org"),
        Next=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(2)")),
    )
    page.obj.Annots.append(
        document.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 9, 9], A=chained
            )
        )
    )
    outline = document.make_indirect(
        pikepdf.Dictionary(
            Title=pikepdf.String("Start"),
            A=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(3)")),
        )
    )
    document.Root.Outlines = pikepdf.Dictionary(
        Type=pikepdf.Name.Outlines, First=outline, Last=outline, Count=1
    )
    field = document.make_indirect(
        pikepdf.Dictionary(
            FT=pikepdf.Name.Tx,
            T=pikepdf.String("name"),
            AA=pikepdf.Dictionary(
                K=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(4)")
            ),
        )
    )
    document.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
    page.obj.Annots.append(
        document.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Screen,
                Rect=[0, 0, 9, 9],
                A=pikepdf.Dictionary(S=pikepdf.Name.Rendition, JS=pikepdf.String("app.alert(5)")),
            )
        )
    )
    out = io.BytesIO()
    document.save(out, static_id=True)
    return out.getvalue()


def pdf_without_pages() -> bytes:
    """A PDF with an empty page tree: it opens, and there is nothing to show."""
    document = pikepdf.new()
    out = io.BytesIO()
    document.save(out, static_id=True)
    return out.getvalue()


@functools.cache
def video(codec: str = "h264", seconds: float = 2.0, size: str = "320x240") -> bytes:
    """A real short video made by the wheel's ffmpeg: h264 (MP4 with AAC sound), vp8 (WebM),
    hevc (an MP4 most browsers cannot play), mpeg4 (MPEG-4 Part 2 in an MP4) or mov (H.264 in
    a QuickTime file)."""
    import imageio_ffmpeg

    settings = {
        "h264": (["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"], "mp4", True),
        "vp8": (["-c:v", "libvpx", "-b:v", "300k", "-c:a", "libvorbis"], "webm", True),
        "hevc": (["-c:v", "libx265", "-pix_fmt", "yuv420p", "-tag:v", "hvc1"], "mp4", False),
        "mpeg4": (["-c:v", "mpeg4"], "mp4", False),
        "mov": (["-c:v", "libx264", "-pix_fmt", "yuv420p"], "mov", False),
    }
    arguments, container, sound = settings[codec]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"clip.{container}"
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin"]
        command += ["-f", "lavfi", "-i", f"testsrc=duration={seconds}:size={size}:rate=15"]
        if sound:
            command += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
        command += [*arguments, "-shortest"]
        if container == "mp4":
            command += ["-movflags", "+faststart"]  # the index first, the frames after it
        command.append(str(out))
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603
        return out.read_bytes()


def lying_video() -> bytes:
    """An MP4 whose container (its index, first) says H.264 and half of whose frames are noise:
    it is read as a video, and fails when played through."""
    data = bytearray(video("h264"))
    start = data.find(b"mdat") + 4000
    noise = random.Random(7)
    for index in range(start, start + (len(data) - start) // 2):
        data[index] = noise.randrange(256)
    return bytes(data)


CAPTIONS = (
    b"WEBVTT\n\n"
    b"00:00:00.000 --> 00:00:01.500\nWe are Team Orbit.\n\n"
    b"00:00:01.500 --> 00:00:02.000\nCheckIn Buddy reminds patients.\n"
)


def video_with_location() -> bytes:
    """An MP4 as a phone writes it: where it was recorded (ISO 6709), the device, a title."""
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "in.mp4", Path(folder) / "phone.mp4"
        source.write_bytes(video("h264"))
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(source)]
        command += ["-c", "copy", "-metadata", "location=+40.7128-074.0060/"]
        command += ["-metadata", "location-eng=+40.7128-074.0060/"]
        command += ["-metadata", "title=Ava at home", "-metadata", "make=Phone Maker"]
        subprocess.run([*command, str(out)], check=True, capture_output=True)  # noqa: S603
        return out.read_bytes()


def video_metadata(data: bytes) -> str:
    """What ffmpeg reads of a video's metadata and streams (its own words)."""
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "video"
        path.write_bytes(data)
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)]
        return subprocess.run(command, capture_output=True, check=False).stderr.decode()  # noqa: S603
