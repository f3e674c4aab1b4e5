"""Find contact details in a message, so a message to or from a minor that has one is held.

A pure function of the text; the caller decides what to hold. The text is first normalised
(NFKC, so "＠" is "@"; zero-width and other format characters dropped; dashes made "-"), and each
match is reported as written in the original message. The rules:

- e-mail: a local part, an "at" (@, [at], (at), " at ") and a domain. When the at or a dot is
  disguised the top-level domain must be a known one, or the domain a known mail provider
  ("ava [at] gmail"; after a plain " at " only with a handle-like name: "ava_m22 at gmail"). The
  word before a plain " at " must not be an ordinary word ("look at", "meet at").
- phone: a run of digits and digit words ("five"; "o"/"oh" only between others) with 7 to 15
  digits, shaped like a phone: one unbroken run, 3-4 / 3-3-4 / 1-3-3-4 groups, a leading "+", a
  leading 0 with 10 or 11 digits in groups of 2+, single digits spaced out, or partly in words.
  Dates, year ranges, money ("$" before, or "," inside) and decimal lists are not phone shaped.
- handle: "@name"; or a platform (insta, snap, discord, tiktok, whatsapp, ...) followed by a
  handle-looking token (with a digit, "_", "#", an inner "." or a leading "@"); or by any name
  after "my <platform> is" or after "<platform>:" when the name ends the clause. A platform named
  with nothing handle-like after it ("I use Discord for my club") is not a contact detail.
- url: http(s)://, www., an IP with a port, or a plain or disguised ("example dot com") domain with
  a known top-level domain. Hosts in `allowed_hosts` (and their subdomains) are let through.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import urlsplit


@dataclass(frozen=True)
class ContactDetail:
    """One contact detail found in a message: its kind and the text as the sender wrote it."""

    kind: str  # "email", "phone", "handle", "url"
    text: str


_TLDS = "com|net|org|edu|gov|io|co|ai|app|dev|ly|gg|tv|uk|ca|au|nz|ie|de|fr|info|biz|xyz"
_PATH_TLDS = "me|be"  # t.me/…, youtu.be/…: only with a path, "me" and "be" are words
_PROVIDERS = "gmail|googlemail|yahoo|hotmail|outlook|icloud|protonmail|proton|aol|gmx"
_PLATFORMS = (
    r"insta(?:gram)?|ig|snap(?:chat)?|discord|tik\s?tok|twitter|whats\s?app|telegram|signal|kik"
    r"|facebook|fb|messenger|linked\s?in|youtube|yt|twitch|reddit|roblox|skype|wechat|viber|bereal"
)
# Words that are never a local part before " at ", a disguised domain's first label, or a handle.
_COMMON_WORDS = frozenset(
    word
    for line in (
        "a an the this that these those it its i me my we us our you your he him his she her they",
        "them their is am are was were be been at on in of for to from with by and or but not no",
        "yes so as if all both none look looked looking meet met meeting work works worked working",
        "stay live lived arrive arrived start started finish finished used use using built made",
        "posted here there private public new old same down up open closed done pending paused",
        "later soon active tbd weak good bad great fine ok okay e.g i.e etc",
    )
    for word in line.split()
)
_TECH_NAMES = frozenset({"asp.net", "vb.net", "ado.net", "socket.io", "draw.io"})
_CHAR_MAP = {"。": ".", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-"}

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_OPEN, _CLOSE = r"\s*[\[({<]\s*", r"\s*[\])}>]\s*"
_AT = rf"(?:\s*@\s*|{_OPEN}at{_CLOSE}|\s+at\s+)"
_SOFT_DOT = rf"(?:\s+dot\s+|{_OPEN}dot{_CLOSE}|\s+\.\s+)"
_DOT = rf"(?:\.|{_SOFT_DOT})"
_END = r"(?![\w(-])"  # not followed by more of a word, or "(" (df.info() is code, not a host)
_PATH = r"(?:/[^\s<>\"'`]*)?"

_STRICT_EMAIL = re.compile(
    rf"(?<![\w.+-])[a-z0-9][\w.%+-]*@{_LABEL}(?:\.{_LABEL})*\.[a-z]{{2,24}}(?![\w-])", re.I
)
_SOFT_EMAIL = re.compile(
    rf"(?<![\w.+-])(?P<local>[a-z0-9](?:[\w.%+-]*[a-z0-9])?)(?P<at>{_AT})"
    rf"(?:(?:{_LABEL}{_DOT}){{1,5}}(?:{_TLDS})|(?P<provider>{_PROVIDERS})){_END}",
    re.I,
)
_URLS = [
    re.compile(r"\b(?:https?|ftp)://[^\s<>\"'`]+", re.I),
    re.compile(r"(?<![\w.@/])www\d?\.[^\s<>\"'`]+", re.I),
    re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}:\d{2,5}" + _PATH),
    re.compile(
        rf"(?<![\w.@/-])(?:{_LABEL}\.)+(?:(?:{_TLDS}){_END}(?::\d{{2,5}})?{_PATH}"
        rf"|(?:{_PATH_TLDS})/[^\s<>\"'`]+)",
        re.I,
    ),
]
_SOFT_URL = re.compile(
    rf"(?<![\w.@])(?P<first>{_LABEL})(?:{_DOT}{_LABEL}){{0,4}}?{_DOT}(?:{_TLDS}){_END}", re.I
)

_HANDLE = re.compile(r"(?<![\w@.+-])@[a-z_](?:[\w.]*\w)?(?![\w(]|\.\w)", re.I)  # not @app.route(
_PLATFORM_HANDLE = re.compile(
    rf"\b(?P<my>my\s+)?(?:{_PLATFORMS})"
    r"(?P<filler>(?:\s+(?:name|handle|username|user|id|tag|account|is|me|at|on))*)"
    r"(?P<sep>\s*[:=]\s*|\s+-\s+|\s+)"
    r"(?P<token>@?[a-z_][\w.#]*\w|@?[a-z])(?![\w#])",
    re.I,
)

_DIGIT_WORDS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3"}
_DIGIT_WORDS |= {"four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_UNIT = re.compile(rf"(?<!\w)(?:[0-9o]*[0-9][0-9o]*|{'|'.join(_DIGIT_WORDS)})(?!\w)", re.I)
_PHONE_RUN = re.compile(
    rf"(?<![\w$£€¥])(?<!\d[.,])(?:\+\s?)?\(?{_UNIT.pattern}(?:[\s.(),-]{{1,4}}{_UNIT.pattern})*",
    re.I,
)
_PHONE_GROUPS = {(3, 4), (3, 3, 4), (1, 3, 3, 4)}


def find_contact_details(text: str, allowed_hosts: Iterable[str] = ()) -> list[ContactDetail]:
    """The contact details in `text`, in order; links to `allowed_hosts` are not reported."""
    norm, origin = _normalise(text)
    allowed = [_host_of(host) for host in allowed_hosts]
    spans = [*_emails(norm), *_urls(norm, allowed), *_phones(norm), *_handles(norm)]
    found: list[ContactDetail] = []
    end = 0
    for start, stop, kind in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if start < end:
            continue  # inside a longer match found first (an allowed link masks what it holds)
        end = stop
        if kind != "allowed":
            found.append(ContactDetail(kind, text[origin[start] : origin[stop - 1] + 1]))
    return found


def reason(details: Iterable[ContactDetail]) -> str:
    """A plain sentence for the sender and the teacher saying what kinds of detail were found."""
    nouns = {
        "email": "an e-mail address",
        "phone": "a phone number",
        "handle": "a social media handle",
        "url": "a link to another website",
    }
    kinds = [nouns[kind] for kind in dict.fromkeys(detail.kind for detail in details)]
    if not kinds:
        return ""
    listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
    return f"It looks like it contains {listed}."


Span = tuple[int, int, str]


def _normalise(text: str) -> tuple[str, list[int]]:
    """The text NFKC-normalised without format characters, and each character's original index."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if unicodedata.category(char) == "Cf":  # zero-width space, joiner, soft hyphen…
            continue
        for out in unicodedata.normalize("NFKC", char):
            chars.append(_CHAR_MAP.get(out, out))
            origin.append(index)
    return "".join(chars), origin


def _emails(norm: str) -> Iterator[Span]:
    for match in _STRICT_EMAIL.finditer(norm):
        yield match.start(), match.end(), "email"
    for match in _SOFT_EMAIL.finditer(norm):
        plain_word_at = not re.search(r"[@\[({<]", match["at"])
        local = match["local"]
        if plain_word_at and local.lower() in _COMMON_WORDS:
            continue  # "meet at example.com": the link rule has the domain
        if plain_word_at and match["provider"] and not re.search(r"[\d_.]", local):
            continue  # "someone at yahoo" is prose; "ava_m22 at gmail" is an address
        yield match.start(), match.end(), "email"


def _urls(norm: str, allowed: list[str]) -> Iterator[Span]:
    for pattern in _URLS:
        for match in pattern.finditer(norm):
            url = match.group().rstrip(".,;:!?)]}\"'")
            if url.lower() in _TECH_NAMES:
                continue
            kind = "allowed" if _is_allowed(_host_of(url), allowed) else "url"
            yield match.start(), match.start() + len(url), kind
    for match in _SOFT_URL.finditer(norm):
        if match["first"].lower() not in _COMMON_WORDS and re.search(_SOFT_DOT, match.group()):
            host = re.sub(_SOFT_DOT, ".", match.group(), flags=re.I)
            yield match.start(), match.end(), "allowed" if _is_allowed(host, allowed) else "url"


def _host_of(url: str) -> str:
    """The lower-cased host[:port] of a URL, with or without its scheme."""
    url = url.strip().lower()
    return urlsplit(url if "://" in url else "//" + url).netloc.rpartition("@")[2]


def _is_allowed(host: str, allowed: list[str]) -> bool:
    """Whether `host` is one of `allowed` or under one (an entry without a port allows any)."""
    names = {host, host.partition(":")[0]}
    return any(name == a or name.endswith("." + a) for a in allowed if a for name in names)


def _phones(norm: str) -> Iterator[Span]:
    for run in _PHONE_RUN.finditer(norm):
        units = list(_UNIT.finditer(norm, run.start(), run.end()))
        i = 0
        while i < len(units):
            for j in range(min(len(units), i + 15), i, -1):  # the longest phone from unit i
                if _phone_shaped(norm, units[i:j], plus=i == 0 and "+" in run.group()[:2]):
                    yield (run.start() if i == 0 else units[i].start()), units[j - 1].end(), "phone"
                    i = j
                    break
            else:
                i += 1


def _phone_shaped(norm: str, units: list[re.Match[str]], plus: bool) -> bool:
    """Whether these consecutive digit units read as one phone number (see the module docstring)."""
    words = [unit.group().lower() for unit in units]
    digits = "".join(_DIGIT_WORDS.get(w) or w.replace("o", "0") for w in words)
    if not 7 <= len(digits) <= 15 or words[0] in ("o", "oh") or words[-1] in ("o", "oh"):
        return False
    if any(w in _DIGIT_WORDS for w in words):
        return True
    groups = tuple(len(w) for w in words)
    seps = [norm[a.end() : b.start()] for a, b in pairwise(units)]
    return (
        (plus and len(digits) >= 8)
        or len(groups) == 1
        or groups in _PHONE_GROUPS
        or (digits[0] == "0" and 10 <= len(digits) <= 11 and min(groups) >= 2)
        or (set(groups) == {1} and all(sep.isspace() for sep in seps))
    )


def _handles(norm: str) -> Iterator[Span]:
    for match in _HANDLE.finditer(norm):
        yield match.start(), match.end(), "handle"
    for match in _PLATFORM_HANDLE.finditer(norm):
        token = match["token"]
        if token.lstrip("@").lower() in _COMMON_WORDS:
            continue
        shaped = token.startswith("@") or (
            len(token) >= 3 and re.search(r"[\d_#]|\w\.\w", token) is not None
        )
        my_is = bool(match["my"]) and "is" in match["filler"].lower().split()
        my_is = my_is and not match.group().lower().startswith("my signal")  # "my signal is weak"
        colon_ends_clause = bool(re.search(r"[:=]", match["sep"])) and bool(
            re.match(r"\s*(?:$|[,;.!?)\n])", norm[match.end() :])
        )
        if shaped or my_is or colon_ends_clause:
            yield match.start(), match.end(), "handle"
