"""A message read as its reader sees it: the plain text a disguised contact detail hides in.

`plain(text)` gives the text with every character read as the ASCII it looks like, and for each
character of it the index in the message it came from, so a match can be reported as written:

- compatibility forms become their plain letters (NFKD: fullwidth "＠", ligatures, circled,
  squared and mathematical letters); accents, other combining marks (the keycap of "1️⃣") and
  format characters (zero-width space, joiner, soft hyphen) are dropped;
- a digit of any script or style ("٥", "５", "❺") is its 0-9; emoji letters ("🅰", "🇦") are A-Z;
- a character of another script that Unicode's confusables list (UTS #39, as shipped by
  `confusable_homoglyphs`) draws like one ASCII letter or digit is read as it: Cyrillic "а" as
  "a", Greek "ο" as "o" — the skeleton of TR39, kept to characters outside ASCII, since it would
  read the ASCII digits "0" and "1" as the letters "O" and "l";
- dashes are "-", ideographic full stops ".";
- three or more single characters with spaces between ("j o h n @ g m a i l . c o m") are joined.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache


def words(*lines: str) -> frozenset[str]:
    """The words of some lines of text, as a set."""
    return frozenset(" ".join(lines).split())


COMMON_WORDS = words(
    "a an the this that these those it its i me my we us our you your he him his she her they",
    "them their is am are was were be been at on in of for to from with by and or but not no",
    "yes so as if all both none look looked looking meet met meeting work works worked working",
    "stay live lived arrive arrived start started finish finished used use using built made",
    "posted here there private public new old same down up open closed done pending paused",
    "later soon active tbd weak good bad great fine ok okay e.g i.e etc please pls plz thanks",
    "thank thx now today tonight tomorrow too also well instead asap first again when then",
    "what which who how why where sometime maybe just really very much more less next last",
    "one two three time day week month year team class school project group chat call text",
    "message email everyone everybody someone anyone people friends family video videos",
)

_CHAR_MAP = {"。": ".", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "🔟": "10"}
_EMOJI_LETTERS = (0x1F1E6, 0x1F130, 0x1F150, 0x1F170)  # regional, squared, circled, negative sq.
_SPACED = re.compile(r"(?<!\S)\S(?=\s)(?:\s{1,3}\S(?!\S)){2,}")


def plain(text: str) -> tuple[str, list[int]]:
    """The text read as plain ASCII look-alikes (see the module docstring), and each of its
    characters' index in `text`."""
    if text.isascii():
        return _join_spaced(text, list(range(len(text))))
    chars: list[str] = []
    origin: list[int] = []
    lookalikes = _lookalikes()
    for index, char in enumerate(text):
        if char.isascii():
            chars.append(char)
            origin.append(index)
            continue
        for out in _read(char, lookalikes):
            chars.append(out)
            origin.append(index)
    return _join_spaced("".join(chars), origin)


def _read(char: str, lookalikes: dict[str, str]) -> str:
    """One character outside ASCII as the plain text it stands for ("" for a mark)."""
    if char in _CHAR_MAP:
        return _CHAR_MAP[char]
    out = []
    for part in unicodedata.normalize("NFKD", char):
        category = unicodedata.category(part)
        if category in ("Mn", "Me", "Cf"):  # accents, keycaps, variation selectors, zero-widths
            continue
        digit = unicodedata.digit(part, None)
        if digit is not None:
            out.append(str(digit))
        elif part.isascii():
            out.append(part)
        else:
            out.append(_CHAR_MAP.get(part) or _emoji_letter(part) or lookalikes.get(part, part))
    return "".join(out)


def _emoji_letter(char: str) -> str:
    """ "A" for 🇦, 🄰, 🅐 or 🅰 (regional indicator, squared, circled, negative squared)."""
    code = ord(char)
    for first in _EMOJI_LETTERS:
        if first <= code < first + 26:
            return chr(ord("A") + code - first)
    return ""


@cache
def _lookalikes() -> dict[str, str]:
    """Each character outside ASCII that UTS #39 confuses with one short ASCII letter, digit or
    mark of an address ("а" → "a"); "rn" (the skeleton of an "m") is read as "m"."""
    from confusable_homoglyphs.confusables import confusables_data

    table: dict[str, str] = {}
    for char, glyphs in confusables_data.items():
        if len(char) != 1 or char.isascii() or len(glyphs) != 1:
            continue
        look = "m" if glyphs[0]["c"] == "rn" else glyphs[0]["c"]
        if look.isascii() and len(look) == 1 and (look.isalnum() or look in ".-_@"):
            table[char] = look
    return table


def _join_spaced(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """Runs of three or more single characters with spaces between, spaces taken out."""
    if not _SPACED.search(text):
        return text, origin
    chars: list[str] = []
    kept: list[int] = []
    at = 0
    for match in _SPACED.finditer(text):
        chars.append(text[at : match.start()])
        kept += origin[at : match.start()]
        for i in range(match.start(), match.end()):
            if not text[i].isspace():
                chars.append(text[i])
                kept.append(origin[i])
        at = match.end()
    chars.append(text[at:])
    kept += origin[at:]
    return "".join(chars), kept
