"""A file's derived images, made in a process of its own: `python -I sandbox.py KIND SRC OUT …`.

The worker runs this script with a memory and CPU-time limit (see `media.prepare`), so a
decompression bomb, a PDF that makes the renderer spin or a video that makes ffmpeg balloon
kills this process and nothing else. It imports nothing of the app (a script, not a module of
the package), reads SRC, writes its images into the folder OUT and then `info.json`:

- `{"info": {...}}`: what was learnt (pages, sizes, duration, codecs); the images are in OUT;
- `{"problem": "..."}`: the file cannot be shown, in words for the team (a refusal, final).

KIND is `image`, `pdf` or `video` (the worker's), or `strip` (an upload's: a video without its
metadata); for a video, MIME is the type its bytes showed on upload.
MEMORY_MB and CPU_SECONDS, when given, limit this process and its children.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

THUMB = (640, 360)  # a card's cover: 16:9
LARGE_WIDTH = 1600  # the project page's cover
SLIDE_WIDTH = 1280  # a deck's slides
MAX_SLIDES = 60  # the rest stay in the PDF, which can be downloaded
MAX_SLIDE_TEXT = 600  # characters of a slide's words kept for its alternative text
MAX_PAGE_RATIO = 4  # a page taller than 4 widths (or wider than 4 heights) is no slide
MAX_PIXELS = 40_000_000
POSTER_WIDTH = 1280
WEBP_QUALITY = 80
# What browsers play, by the container the bytes showed: anything else is refused.
VIDEO_CODECS = {
    "video/mp4": {"h264", "av1", "vp9"},
    "video/webm": {"vp8", "vp9", "av1"},
}
AUDIO_CODECS = {
    "video/mp4": {"aac", "mp3", "opus", "flac"},
    "video/webm": {"vorbis", "opus"},
}
CODEC_NAMES = {"hevc": "H.265 (HEVC)", "h264": "H.264", "mpeg4": "MPEG-4 Part 2"}


class Refused(Exception):
    """The file cannot be shown; the message is for the team."""


def _webp(image, path: Path) -> None:
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    image.save(path, format="WEBP", quality=WEBP_QUALITY, method=4)


def image(src: Path, out: Path) -> dict:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(src) as picture:
            width, height = picture.size
            if width * height > MAX_PIXELS:
                raise Refused("The image has too many pixels to show.")
            picture.seek(0)  # an animated image: its first frame
            picture.load()
            first = picture.convert("RGBA" if "A" in picture.getbands() else "RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise Refused("The image could not be read.") from error
    _webp(ImageOps.fit(first, THUMB, method=Image.Resampling.LANCZOS), out / "thumb.webp")
    large = first.copy()
    large.thumbnail((LARGE_WIDTH, LARGE_WIDTH * 2), Image.Resampling.LANCZOS)
    _webp(large, out / "large.webp")
    return {"width": width, "height": height}


def pdf(src: Path, out: Path) -> dict:
    import pypdfium2 as pdfium
    from PIL import Image

    try:
        document = pdfium.PdfDocument(str(src))
    except pdfium.PdfiumError as error:
        raise Refused("The PDF could not be opened; export it again and upload it.") from error
    try:
        total = len(document)
        if total == 0:
            raise Refused("The PDF has no pages.")
        shown = min(total, MAX_SLIDES)
        first_size: tuple[int, int] = (0, 0)
        texts: list[str] = []  # each slide's words: its image's alternative text
        for index in range(shown):
            page = document[index]
            width, height = page.get_size()
            if width <= 0 or height <= 0:
                raise Refused(f"Page {index + 1} of the PDF has no size.")
            if max(width / height, height / width) > MAX_PAGE_RATIO:
                raise Refused(f"Page {index + 1} is too long and thin to show as a slide.")
            scale = SLIDE_WIDTH / width
            if width * scale * height * scale > MAX_PIXELS:
                raise Refused(f"Page {index + 1} is too large to show as a slide.")
            try:
                bitmap = page.render(scale=scale, may_draw_forms=False)
                picture = bitmap.to_pil()
            except pdfium.PdfiumError as error:
                raise Refused(f"Page {index + 1} of the PDF could not be drawn.") from error
            if index == 0:
                first_size = picture.size
                thumb = picture.copy()
                thumb.thumbnail((THUMB[0] * 2, THUMB[1] * 2), Image.Resampling.LANCZOS)
                _webp(thumb, out / "thumb.webp")
            _webp(picture, out / f"slide-{index + 1:03d}.webp")
            texts.append(_text_of(page))
            page.close()
    finally:
        document.close()
    return {
        "pages": shown,
        "total_pages": total,
        "width": first_size[0],
        "height": first_size[1],
        "texts": texts,
    }


def _text_of(page) -> str:
    """The words on a page, on one line, at most MAX_SLIDE_TEXT characters ('' if unreadable)."""
    import pypdfium2 as pdfium

    try:
        textpage = page.get_textpage()
        text = textpage.get_text_bounded()
        textpage.close()
    except pdfium.PdfiumError:
        return ""
    return " ".join(text.split())[:MAX_SLIDE_TEXT]


def _probe(ffmpeg: str, src: Path) -> tuple[float, str, str, int, int]:
    """Duration (s), video codec, audio codec ('' if none), width, height: what ffmpeg reads
    from the streams themselves, not what the file's name or its first bytes claim."""
    result = subprocess.run(  # noqa: S603 - the wheel's ffmpeg, fixed arguments
        [ffmpeg, "-hide_banner", "-nostdin", "-i", str(src)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    text = result.stderr.decode("utf-8", "replace")
    duration = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", text)
    video = re.search(r"Stream #\S+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5})", text)
    audio = re.search(r"Stream #\S+.*?: Audio: (\w+)", text)
    if video is None:
        raise Refused("No video could be found in the file.")
    if duration is None:
        raise Refused("The video's length could not be read.")
    hours, minutes, seconds = duration.groups()
    length = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    return (
        length,
        video.group(1),
        audio.group(1) if audio else "",
        int(video.group(2)),
        int(video.group(3)),
    )


def video(src: Path, out: Path, mime: str) -> dict:
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    length, vcodec, acodec, width, height = _probe(ffmpeg, src)
    container = "MP4" if mime == "video/mp4" else "WebM"
    if vcodec not in VIDEO_CODECS.get(mime, set()):
        name = CODEC_NAMES.get(vcodec, vcodec)
        raise Refused(
            f"The {container} file holds {name} video, which browsers cannot all play: "
            "export it as an MP4 (H.264) or a WebM (VP9) and upload it again."
        )
    if acodec and acodec not in AUDIO_CODECS.get(mime, set()):
        raise Refused(
            f"The {container} file's sound is {acodec}, which browsers cannot all play: "
            "export it again as an MP4 (H.264 with AAC sound) and upload it."
        )
    if width * height > MAX_PIXELS:
        raise Refused("The video's picture is too large.")
    # Decode every frame once: a container that lies about what it holds fails here.
    decoded = subprocess.run(  # noqa: S603
        [
            ffmpeg,
            *["-v", "error", "-xerror", "-nostdin", "-i"],
            str(src),
            *["-map", "0:v:0", "-f", "null", "-"],
        ],
        capture_output=True,
        timeout=600,
        check=False,
    )
    if decoded.returncode != 0:
        raise Refused("The video could not be played through: its file is damaged.")
    at = min(length * 0.25, 2.0)
    poster = subprocess.run(  # noqa: S603
        [
            *(ffmpeg, "-v", "error", "-nostdin", "-ss", f"{at:.2f}", "-i", str(src)),
            *("-frames:v", "1", "-vf", f"scale='min({POSTER_WIDTH},iw)':-2"),
            *("-c:v", "libwebp", "-quality", str(WEBP_QUALITY), str(out / "poster.webp")),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    if poster.returncode != 0 or not (out / "poster.webp").exists():
        raise Refused("No picture could be taken from the video.")
    return {
        "duration": round(length, 2),
        "video_codec": vcodec,
        "audio_codec": acodec,
        "width": width,
        "height": height,
    }


def limit(memory_mb: int, cpu_seconds: int) -> None:
    """This process and its children (ffmpeg) stop at these: a bomb kills only them."""
    import resource

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))


CONTAINERS = {"video/mp4": "mp4", "video/webm": "webm", "video/quicktime": "mov"}


def strip(src: Path, out: Path, mime: str) -> dict:
    """The video's streams copied as they are into a new file without its metadata: the place
    and time a phone recorded (QuickTime's location atoms, ©xyz), the device, titles, chapters.
    MP4 and QuickTime get their index first, so a player starts before the whole file came."""
    import imageio_ffmpeg

    container = CONTAINERS.get(mime)
    if container is None:
        raise Refused("Only MP4, WebM and QuickTime videos are accepted.")
    target = out / f"clean.{container}"
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(src)]
    command += ["-map", "0", "-map_metadata", "-1", "-map_chapters", "-1", "-c", "copy"]
    command += ["-fflags", "+bitexact", "-f", container]
    if container != "webm":
        command += ["-movflags", "+faststart"]
    done = subprocess.run(  # noqa: S603 - the wheel's ffmpeg, fixed arguments
        [*command, str(target)], capture_output=True, timeout=300, check=False
    )
    if done.returncode != 0 or not target.exists():
        raise Refused("The video could not be read; export it again and upload it.")
    return {"file": target.name}


def main(argv: list[str]) -> int:
    """KIND SRC OUT [MIME [MEMORY_MB CPU_SECONDS]]"""
    kind, src, out = argv[1], Path(argv[2]), Path(argv[3])
    mime = argv[4] if len(argv) > 4 else ""
    if len(argv) > 6:
        limit(int(argv[5]), int(argv[6]))
    try:
        if kind == "image":
            info = image(src, out)
        elif kind == "pdf":
            info = pdf(src, out)
        elif kind == "video":
            info = video(src, out, mime)
        elif kind == "strip":
            info = strip(src, out, mime)
        else:
            raise Refused(f"Nothing is made from a {kind} file.")
        result: dict = {"info": info}
    except Refused as refusal:
        result = {"problem": str(refusal)}
    except subprocess.TimeoutExpired:
        result = {"problem": "The video took too long to read."}
    (out / "info.json").write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
