"""Find contact details in a message, so a message to or from a minor that has one is held.

Pure functions of the text; the caller decides what to hold. The text is first read as its
reader sees it (contact_text.plain: NFKC-style compatibility forms, the UTS #39 confusables
skeleton, digits of any script and keycaps as 0-9, spaced-out letters joined), then searched
for four kinds of detail, each reported as written in the original message:

- email: "ava@gmail.com", "ava [at] gmail [dot] com", "ava at gmail", "my gmail is ava"
  (contact_links, contact_handles);
- phone: 7 to 15 digits, in figures, words or both, shaped like a phone (contact_phones);
- handle: "@ava", "snap: ava22", "add me on snapchat ava", "ava on the gram" (contact_handles);
- url: a scheme, "www.", or a name on any public suffix ("ava.shop", "ava dot xyz"), except
  hosts in `allowed_hosts` and their subdomains (contact_links).

A message can also be read with the same person's messages just before it
(`find_contact_details_in_burst`), so that a number sent in three pieces is found in the third.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .contact_handles import handles
from .contact_links import emails, host_of, links
from .contact_phones import phones
from .contact_text import plain

BURST_MESSAGES = 10  # at most this many earlier messages are read with a new one
BURST_CONTEXT = 200  # characters before a new message that are read with it


@dataclass(frozen=True)
class ContactDetail:
    """One contact detail found in a message: its kind and the text as the sender wrote it.
    `across` when it shows only with the sender's messages just before (the text then spans
    them, joined by a newline or by nothing)."""

    kind: str  # "email", "phone", "handle", "url"
    text: str
    across: bool = False


def find_contact_details(text: str, allowed_hosts: Iterable[str] = ()) -> list[ContactDetail]:
    """The contact details in `text`, in order; links to `allowed_hosts` are not reported."""
    allowed = [host_of(host) for host in allowed_hosts]
    return [ContactDetail(kind, text[start:stop]) for start, stop, kind in _spans(text, allowed)]


def find_contact_details_in_burst(
    earlier: Sequence[str], text: str, allowed_hosts: Iterable[str] = ()
) -> list[ContactDetail]:
    """The contact details in `text`, or else those that reach into it when it is read after
    `earlier` (the same sender's last messages in the thread, oldest first): "555", "123",
    "4567" sent one after another find a phone number in the third. The messages are read
    joined by line breaks, and joined where a word was cut ("ava@gm" + "ail.com")."""
    allowed = [host_of(host) for host in allowed_hosts]
    found = [ContactDetail(kind, text[a:b]) for a, b, kind in _spans(text, allowed)]
    earlier = [message for message in earlier[-BURST_MESSAGES:] if message]
    if found or not earlier or not text:
        return found
    lines, words = _lines([*earlier, text]), _words([*earlier, text])
    for joined in (lines, words) if words != lines else (lines,):
        before = joined[: -len(text)][-BURST_CONTEXT:]
        found = [
            ContactDetail(kind, (before + text)[start:stop], across=True)
            for start, stop, kind in _spans(before + text, allowed)
            if stop > len(before)
        ]
        if found:
            break
    return found


def _lines(messages: list[str]) -> str:
    return "\n".join(messages)


def _words(messages: list[str]) -> str:
    """The messages run together where one ends and the next starts inside a word or an
    address ("ava" + "@gmail.com", "avamakes" + ".shop"), on separate lines elsewhere (so
    "the farm." + "pH 7.2" is not read as a host)."""
    out = messages[0]
    for message in messages[1:]:
        cut = (out[-1].isalnum() or out[-1] in "@_") and (
            message[0].isalnum() or message[0] in "@._"
        )
        out += ("" if cut else "\n") + message
    return out


def reason(details: Iterable[ContactDetail]) -> str:
    """A plain sentence for the sender and the teacher saying what kinds of detail were found."""
    details = list(details)
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
    if all(detail.across for detail in details):
        return f"Read with the messages sent just before it, it looks like it contains {listed}."
    return f"It looks like it contains {listed}."


def _spans(text: str, allowed: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each detail in `text`'s own indices, in order, none overlapping."""
    norm, origin = plain(text)
    spans = [
        *emails(norm),
        *links(norm, allowed),
        *((start, stop, "phone") for start, stop in phones(norm)),
        *handles(norm),
    ]
    found = []
    end = 0
    for start, stop, kind in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if start < end:
            continue  # inside a longer match found first (an allowed link masks what it holds)
        end = stop
        if kind != "allowed":
            found.append((origin[start], origin[stop - 1] + 1, kind))
    return found
