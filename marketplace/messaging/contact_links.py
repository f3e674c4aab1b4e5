"""E-mail addresses and links to other websites in plain text (see contact_text.plain).

A domain ends in a public suffix: any top-level domain or other suffix in the ICANN section of
the Public Suffix List ("com", "shop", "co.uk"), as shipped in the `publicsuffixlist` package
and read from it — never fetched. How much more a domain needs depends on how it is written:

- with a scheme ("https://"), "www." or an IP and port: nothing more;
- written plainly ("ava.shop"): with a path or a suffix well known for sites (com, io, dev,
  xyz…), nothing more; with any other suffix, a name before it of two characters or more that is
  not an ordinary or code word ("done.now", "user.name", "plt.show"), no sentence run together
  ("sprint.Next"), and not a file's extension ("main.py", "notes.md", "clip.mov", Illustrator's
  "logo.ai" among other files); "me" after a name ("ava.me", not "call.me"), other suffixes
  that are short English words ("it", "to", "in") only after a word like "site" or "visit";
- with a disguised dot: "[dot]", "(.)" with any suffix; " dot " or " . " with a well-known
  suffix, or any suffix that ends the sentence, has a path, or follows a word like "site";
  never after an ordinary word ("the dot com bubble", "used dot net", "a red dot in").

An e-mail address is a local part, an "at" (@, [at], (at), " at ", "arroba") and a domain as
above, or a mail provider ("ava [at] gmail"; after a plain " at " a handle-like name, "ava_m22 at
gmail", any name at gmail, hotmail, icloud…, or after a word like "email"). Bracketed "at" and
dots need no known suffix ("jo [at] office [dot] example"). The word before a plain " at " must
not be an ordinary one ("look at", "meet at"). Hosts in `allowed` (and their subdomains) are let
through.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from .contact_text import COMMON_WORDS, words

Span = tuple[int, int, str]

WELL_KNOWN = words(
    "com net org edu gov io co ai app dev ly gg tv uk ca au nz ie de fr info biz xyz"
)
PROVIDERS = "gmail|googlemail|yahoo|ymail|hotmail|outlook|icloud|protonmail|proton|aol|gmx"
_STRONG_PROVIDERS = words("gmail googlemail ymail hotmail icloud protonmail gmx")
# Suffixes that are short English words: a domain on one needs a path or a word like "site".
_WORD_SUFFIXES = words("me be is it in to at so no do us my am as by")
# Suffixes that are also files' extensions: "main.py", "notes.md", "run.sh", "clip.mov".
_FILE_SUFFIXES = words("py md sh rs pl pm pt zip mov mk ml tf gd sc java sas ps so")
# Names before a dot in code: "user.name", "self.data", "plt.show", "app.run".
_CODE_NAMES = words(
    "self this user users obj node item req res request response app df np pd plt fig ax os sys"
    " math console window document event e ctx config settings props state model data list arr"
    " array str string json file path result args form page el element root parent child row col"
    " cell sheet db session query git npm pip date player game scene sprite"
)
_NOT_SITE_NAMES = COMMON_WORDS | _CODE_NAMES
_ARTWORK = words(
    "logo icon poster label flyer banner sticker artwork illustration drawing sketch design"
    " file draft final card cover"
)
_FILES = re.compile(r"\w\.(?:eps|png|svg|pdf|psd|jpe?g|indd|tiff?|gif|webp)\b", re.I)
_BEFORE_ME = words(
    "call text tell give show help send ask let lets with for to about like love trust remind"
    " join meet follow add dm ping contact email message from hit teach told sent gave asked"
    " excuse pay owe beat about behind before after near"
)
_TECH_NAMES = frozenset({"asp.net", "vb.net", "ado.net", "socket.io", "draw.io"})
_SITE_WORDS = re.compile(
    r"\b(?:site|website|web\s?site|web\s?page|link|visit|url|portfolio|blog|store|shop|go\s+to"
    r"|check\s+out|head\s+to|find\s+(?:me|us)\s+at)\b[^.!?\n]{0,40}$",
    re.I,
)
_MAIL_WORDS = re.compile(r"\b(?:e-?mail|mail|address|inbox|write\s+to)\b[^.!?\n]{0,30}$", re.I)

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_OPEN, _CLOSE = r"\s*[\[({<]\s*", r"\s*[\])}>]\s*"
_AT = rf"(?:\s*@\s*|{_OPEN}(?:at|@|arroba){_CLOSE}|\s+(?:at|arroba)\s+)"
_BRACKET_DOT = rf"(?:{_OPEN}(?:dot|punto|\.){_CLOSE})"
_SOFT_DOT = rf"(?:\s+(?:dot|punto)\s+|{_BRACKET_DOT}|\s+\.\s*)"
_DOT = rf"(?:\.|{_SOFT_DOT})"
_END = r"(?![\w(-])"  # not followed by more of a word, or "(" (df.info() is code, not a host)
_PATH = r"(?:/[^\s<>\"'`]*)?"

_STRICT_EMAIL = re.compile(
    rf"(?<![\w.+-])[a-z0-9][\w.%+-]*@{_LABEL}(?:\.{_LABEL})*\.[a-z]{{2,24}}(?![\w-])", re.I
)
_SOFT_EMAIL = re.compile(
    rf"(?<![\w.+-])(?P<local>[a-z0-9](?:[\w.%+-]*[a-z0-9])?)\.?(?P<at>{_AT})"
    rf"(?:(?P<domain>(?:{_LABEL}{_DOT}){{1,5}}[a-z]{{2,24}})|(?P<provider>{PROVIDERS})){_END}",
    re.I,
)
_LINKS = [
    re.compile(r"\b(?:https?|ftp)://[^\s<>\"'`]+", re.I),
    re.compile(r"(?<![\w.@/])www\d?\.[^\s<>\"'`]+", re.I),
    re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}:\d{2,5}" + _PATH),
]
_PLAIN_HOST = re.compile(
    rf"(?<![\w.@/-])(?P<host>(?:{_LABEL}\.)+[a-z]{{2,24}}){_END}(?P<tail>(?::\d{{2,5}})?{_PATH})",
    re.I,
)
_SOFT_HOST = re.compile(
    rf"(?<![\w.@])(?P<first>{_LABEL})(?:{_DOT}{_LABEL}){{0,4}}?{_DOT}[a-z]{{2,24}}{_END}", re.I
)

# Quick looks that let most messages skip the slower patterns.
_MAYBE_DOT = re.compile(r"[a-z0-9]\.[a-z]", re.I)
_MAYBE_SOFT_DOT = re.compile(rf"\b(?:dot|punto)\b|\s\.|{_BRACKET_DOT}", re.I)
_MAYBE_AT = re.compile(r"@|\b(?:at|arroba)\b|[\[({<]\s*at", re.I)


@cache
def _suffix_list() -> PublicSuffixList:
    """The list bundled with the package: ICANN's section only, nothing unknown accepted."""
    return PublicSuffixList(only_icann=True, accept_unknown=False)


def public_suffix(host: str) -> str | None:
    """The public suffix `host` ends in ("shop", "co.uk"), when a name comes before it."""
    host = host.lower().rstrip(".")
    lists = _suffix_list()
    if lists.privatesuffix(host, accept_unknown=False) is None:
        return None
    return lists.publicsuffix(host, accept_unknown=False)


def emails(norm: str) -> Iterator[Span]:
    """E-mail addresses, plain and disguised."""
    for match in _STRICT_EMAIL.finditer(norm):
        yield match.start(), match.end(), "email"
    for match in _SOFT_EMAIL.finditer(norm) if _MAYBE_AT.search(norm) else ():
        if _soft_email(norm, match):
            yield match.start(), match.end(), "email"


def _soft_email(norm: str, match: re.Match[str]) -> bool:
    plain_word_at = not re.search(r"[@\[({<]", match["at"])
    local = match["local"].lower()
    if plain_word_at and local in COMMON_WORDS:
        return False  # "meet at example.com": the link rule has the domain
    if match["domain"]:
        domain = re.sub(_SOFT_DOT, ".", match["domain"], flags=re.I)
        soft_dots = re.findall(_SOFT_DOT, match["domain"], flags=re.I)
        bracketed = all(re.search(r"[\[({<]", dot) for dot in soft_dots)
        suffix = public_suffix(domain)
        if suffix is None:  # "jo [at] office [dot] example" is written to hide an address
            return not plain_word_at and bool(soft_dots) and bracketed
        if plain_word_at and soft_dots and not bracketed:
            return (
                _well_known(suffix)
                or _clause_ends(norm, match.end())
                or _asked_to_mail(norm, match)
            )
        return True
    provider = match["provider"].lower()
    handle_like = re.search(r"[\d_.]", local) is not None
    return (
        not plain_word_at
        or handle_like
        or (provider in _STRONG_PROVIDERS or _asked_to_mail(norm, match))
    )


def _asked_to_mail(norm: str, match: re.Match[str]) -> bool:
    return _MAIL_WORDS.search(norm, max(0, match.start() - 40), match.start()) is not None


def _clause_ends(norm: str, end: int) -> bool:
    return re.match(r"\s*(?:$|[,;!?)\]\n]|\.(?!\w))", norm[end:]) is not None


def links(norm: str, allowed: list[str]) -> Iterator[Span]:
    """Links to other websites; "allowed" spans mask the links to this site and what they hold."""
    for pattern in _LINKS:
        for match in pattern.finditer(norm):
            url = match.group().rstrip(".,;:!?)]}\"'")
            yield match.start(), match.start() + len(url), _kind(url, allowed)
    for match in _PLAIN_HOST.finditer(norm) if _MAYBE_DOT.search(norm) else ():
        url = match.group().rstrip(".,;:!?)]}\"'")
        if _plain_host(norm, match):
            yield match.start(), match.start() + len(url), _kind(url, allowed)
    for match in _SOFT_HOST.finditer(norm) if _MAYBE_SOFT_DOT.search(norm) else ():
        host = re.sub(_SOFT_DOT, ".", match.group(), flags=re.I)
        if _soft_host(norm, match, host):
            yield match.start(), match.end(), _kind(host, allowed)


def _plain_host(norm: str, match: re.Match[str]) -> bool:
    """Whether "name.suffix" written plainly is a website (see the module docstring)."""
    host = match["host"]
    suffix = public_suffix(host)
    if suffix is None or host.lower() in _TECH_NAMES:
        return False
    path = len(match["tail"]) > 1
    head = host[: -len(suffix) - 1].rpartition(".")[2]
    written = host[-len(suffix) :]
    if suffix == "ai" and not path and (head.lower() in _ARTWORK or _FILES.search(norm)):
        return False  # Illustrator's "logo.ai", or among "poster.eps, poster.png"
    if _well_known(suffix) or path:
        return True
    if (
        suffix in _FILE_SUFFIXES
        or len(head) < 2
        or head.lower() in _NOT_SITE_NAMES
        or (written.istitle() and (head.islower() or head.istitle()))  # "sprint.Next"
    ):
        return False
    if suffix == "me":  # a personal site ("ava.me"), unless a sentence ran on ("call.me")
        return head.lower() not in _BEFORE_ME
    if suffix in _WORD_SUFFIXES:
        return _SITE_WORDS.search(norm, max(0, match.start() - 60), match.start()) is not None
    return True


def _soft_host(norm: str, match: re.Match[str], host: str) -> bool:
    """Whether "name dot suffix" is a website (see the module docstring)."""
    if match["first"].lower() in COMMON_WORDS or not re.search(_SOFT_DOT, match.group(), re.I):
        return False
    suffix = public_suffix(host)
    if suffix is None:
        return False
    soft_dots = re.findall(_SOFT_DOT, match.group(), flags=re.I)
    if all(re.search(r"[\[({<]", dot) for dot in soft_dots):
        return True
    site_word = _SITE_WORDS.search(norm, max(0, match.start() - 60), match.start()) is not None
    if (
        suffix == "me"
        and match["first"].lower() not in _BEFORE_ME
        and _clause_ends(norm, match.end())
    ):
        return True
    if suffix in _WORD_SUFFIXES:
        return site_word or norm[match.end() : match.end() + 1] == "/"
    return (
        _well_known(suffix)
        or site_word
        or _clause_ends(norm, match.end())
        or norm[match.end() : match.end() + 1] == "/"
    )


def _well_known(suffix: str) -> bool:
    return suffix.rpartition(".")[2] in WELL_KNOWN


def _kind(url: str, allowed: list[str]) -> str:
    return "allowed" if _is_allowed(host_of(url), allowed) else "url"


def host_of(url: str) -> str:
    """The lower-cased host[:port] of a URL, with or without its scheme."""
    url = url.strip().lower()
    return urlsplit(url if "://" in url else "//" + url).netloc.rpartition("@")[2]


def _is_allowed(host: str, allowed: list[str]) -> bool:
    """Whether `host` is one of `allowed` or under one (an entry without a port allows any)."""
    names = {host, host.partition(":")[0]}
    return any(name == a or name.endswith("." + a) for a in allowed if a for name in names)
