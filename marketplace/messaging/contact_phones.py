"""Phone numbers in plain text (see contact_text.plain), however they are spelled or broken up.

A number is a run of units: digits, digit words ("five", "cinco", "0ne"; "o"/"oh" only between
others), tens and teens ("fifty-five"), "double"/"triple" before a digit, and words mixing them
("5five5", "77eight8", "2o1", "l23" with "l" or "I" for 1 beside a digit). Units are joined by
short separators: spaces and newlines, ". , ( ) - * _ ~ | /", emoji and other symbols, or the
words "dash" and "hyphen" (and "and", "then" in a message that speaks of a phone).

A run of 7 to 15 digits is a phone number when it is shaped like one: one unbroken run,
3-4 / 3-3-4 / 1-3-3-4 / 3-3-2-2 groups, a leading "+", a leading 0 with 10 or 11 digits in groups
of 2+, single digits spaced out (or 10+ with one repeated separator: "5-5-5-1-2-…"), partly in
words (with tens or teens, at least three single digits: "nine thirty, ten fifteen" is a time),
or any grouping next to a word like "phone", "cell", "call", "text" or "my number". Dates and
year ranges ("11/24/2026", "2024-2026"), money ("$" before, or "," inside) and decimal lists
are not phone shaped; groups joined by "/" only in the 3-4 shapes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

_DIGITS = {"zero": 0, "oh": 0, "o": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_DIGITS |= {"six": 6, "seven": 7, "eight": 8, "nine": 9}
_DIGITS |= {"cero": 0, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6}
_DIGITS |= {"siete": 7, "ocho": 8, "nueve": 9}
_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15}
_TEENS |= {"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 2, "thirty": 3, "forty": 4, "fourty": 4, "fifty": 5, "sixty": 6}
_TENS |= {"seventy": 7, "eighty": 8, "ninety": 9}
_REPEATS = {"double": 2, "triple": 3}
_WORDS = sorted([*_DIGITS, *_TEENS, *_TENS, *_REPEATS], key=len, reverse=True)
_LEET = str.maketrans("03", "oe")  # "0ne", "thr33", "s3v3n"
_PIECE = re.compile(
    "|".join([*(w.replace("o", "[o0]").replace("e", "[e3]") for w in _WORDS), "[0-9]", "l", "i"]),
    re.I,
)
_UNIT = re.compile(rf"(?<![^\W_])(?:{_PIECE.pattern})+(?![^\W_])", re.I)  # "_" separates
_SEPARATOR = re.compile(r"[\s.(),*_~|•·/-]{1,6}|\s*\b(?:dash|hyphen)\b\s*", re.I)
_CUE = (
    r"\b(?:phone|cell|mobile|call|text|txt|ring|digits|tel|whats\s?app|signal"
    r"|(?:my|contact|home)\s+(?:number|num|\#))(?!\w)"
)
_CUE_BEFORE = re.compile(rf"{_CUE}[^.!?\n\d]{{0,20}}$", re.I)
_CUE_AFTER = re.compile(rf"[^.!?\n\d]{{0,12}}{_CUE}", re.I)
_CUED_SEPARATOR = re.compile(r"\s*(?:,\s*)?(?:and|then|and\s+then)\s+", re.I)
_GROUPS = {(3, 4), (3, 3, 4), (1, 3, 3, 4), (3, 3, 2, 2)}
MAX_DIGITS = 15
_ONE_TO_NINE = frozenset("123456789")


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    pieces: tuple[str, ...]  # lower-cased: "5", "five", "fifty", "o", "l", "double"

    @property
    def only_oh(self) -> bool:
        return all(piece in ("o", "oh") for piece in self.pieces)

    @property
    def worded(self) -> bool:
        return any(not piece.isdigit() for piece in self.pieces)


def phones(norm: str) -> Iterator[tuple[int, int]]:
    """The (start, end) of each phone number in plain text."""
    cued = re.search(_CUE, norm, re.I) is not None
    for run in _runs(_units(norm), norm, cued):
        i = 0
        while i < len(run):
            for j in range(min(len(run), i + MAX_DIGITS), i, -1):  # the longest from unit i
                plus = i == 0 and _plus_before(norm, run[0].start)
                if _phone_shaped(norm, run[i:j], plus):
                    yield _start(norm, run[i].start, plus), run[j - 1].end
                    i = j
                    break
            else:
                i += 1


def _units(norm: str) -> list[_Unit]:
    units: list[_Unit] = []
    money_ends = -1
    for match in _UNIT.finditer(norm):
        before = norm[max(0, match.start() - 2) : match.start()]
        if re.search(r"[$£€¥]\s?$", before) or (money_ends >= 0 and re.match(r"\d[.,]$", before)):
            money_ends = match.end()  # "$1,200.50": money, all of it
            continue
        money_ends = -1
        pieces = tuple(
            piece.lower() if len(piece) == 1 else piece.lower().translate(_LEET)
            for piece in _PIECE.findall(match.group())
        )
        if ("l" in pieces or "i" in pieces) and not re.search("[0-9]", match.group()):
            continue  # "lil", "I": an "l" or "I" reads as 1 only beside a digit
        units.append(_Unit(match.start(), match.end(), pieces))
    return units


def _runs(units: list[_Unit], norm: str, cued: bool) -> Iterator[list[_Unit]]:
    """Units joined by separators, in runs; in a message that speaks of a phone, "and" and
    "then" separate too ("the digits are 555 and 321 and 9876")."""
    run: list[_Unit] = []
    for unit in units:
        between = norm[run[-1].end : unit.start] if run else ""
        if run and not (_separates(between) or (cued and _CUED_SEPARATOR.fullmatch(between))):
            yield run
            run = []
        run.append(unit)
    if run:
        yield run


def _separates(between: str) -> bool:
    if _SEPARATOR.fullmatch(between):
        return True
    symbols = between.strip()  # emoji and other symbols between the groups: 555🔥123🔥4567
    return 0 < len(symbols) <= 6 and all(
        unicodedata.category(c) in ("So", "Sk") or c in "-.*" for c in symbols
    )


def _plus_before(norm: str, start: int) -> bool:
    return re.search(r"\+\s?\(?$", norm[max(0, start - 3) : start]) is not None


def _start(norm: str, start: int, plus: bool) -> int:
    """Where the number starts: at its "+" or "(" when it has one."""
    if plus:
        return norm.rindex("+", 0, start)
    return start - 1 if start and norm[start - 1] == "(" else start


def digits_of(units: list[_Unit]) -> str:
    """The digits the units spell: "fifty five" is 55, "double five" 55, "5five5" 555."""
    pieces = [piece for unit in units for piece in unit.pieces]
    out: list[str] = []
    repeat = 1
    for i, piece in enumerate(pieces):
        if piece in _REPEATS:
            repeat = _REPEATS[piece]
            continue
        if piece in _TENS:
            following = pieces[i + 1] if i + 1 < len(pieces) else ""
            tens = str(_TENS[piece])
            unit_follows = following in _ONE_TO_NINE or _DIGITS.get(following, 0) > 0
            out.append(tens if following and unit_follows else tens + "0")
            continue
        if piece in _TEENS:
            digits = str(_TEENS[piece])
        elif piece in ("l", "i"):
            digits = "1"
        else:
            digits = str(_DIGITS[piece]) if piece in _DIGITS else piece
        out.append(digits * repeat)
        repeat = 1
    return "".join(out)


def _phone_shaped(norm: str, units: list[_Unit], plus: bool) -> bool:
    """Whether these consecutive units read as one phone number (see the module docstring)."""
    digits = digits_of(units)
    if not 7 <= len(digits) <= MAX_DIGITS or units[0].only_oh or units[-1].only_oh:
        return False
    groups = tuple(len(digits_of([unit])) for unit in units)
    if not any(unit.worded for unit in units) and _date_like(digits, groups):
        return False
    if _CUE_BEFORE.search(norm, max(0, units[0].start - 30), units[0].start) or (
        _CUE_AFTER.match(norm, units[-1].end)
    ):
        return True  # "my phone is 5 5 5, 4 4 4, 1 2 1 2", "55 53 21 98 76 call me"
    if any(unit.worded for unit in units):
        pieces = [piece for unit in units for piece in unit.pieces]
        if any(piece in _TENS or piece in _TEENS for piece in pieces):
            return sum(piece in _DIGITS or piece.isdigit() for piece in pieces) >= 3
        return True
    seps = [norm[a.end : b.start] for a, b in pairwise(units)]
    if any("/" in sep for sep in seps):  # "555/123/4567", never a date: "09/01/2025"
        return groups in _GROUPS
    return (
        (plus and len(digits) >= 8)
        or len(groups) == 1
        or groups in _GROUPS
        or (digits[0] == "0" and 10 <= len(digits) <= 11 and min(groups) >= 2)
        or (set(groups) == {1} and all(sep.isspace() for sep in seps))
        or (set(groups) == {1} and len(digits) >= 10 and len(set(seps)) == 1 and "," not in seps[0])
    )


def _date_like(digits: str, groups: tuple[int, ...]) -> bool:
    """A date or a range of years: "11/24/2026", "2026-11-23", "2024-2026" (not "555-123-2019")."""
    if len(groups) > 3:
        return False
    years, at = 0, 0
    for size in groups:
        if size == 4 and digits[at : at + 2] in ("19", "20"):
            years += 1
        elif size > 2:
            return False
        at += size
    return years > 0
