"""The contact-detail corpora (tests/corpus/) and the figures measured on them: the share of
disguised details held, per category, and the share of ordinary messages wrongly held.

Used by tests/test_contact_detector.py and bench/contact_figures.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from marketplace.messaging.contacts import find_contact_details_in_burst

CORPUS = Path(__file__).parent / "corpus"
DISGUISES = CORPUS / "contact_disguises.txt"
ORDINARY = CORPUS / "ordinary_messages.txt"


def _lines(path: Path) -> Iterator[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and (line.startswith("## ") or not line.startswith("#")):
            yield line.replace("\\n", "\n")


def disguises() -> dict[str, list[list[str]]]:
    """Each category's disguises, each as the messages of one burst (most are one message)."""
    found: dict[str, list[list[str]]] = {}
    category = ""
    for line in _lines(DISGUISES):
        if line.startswith("## "):
            category = line[3:].strip()
            found[category] = []
        else:
            found[category].append(line.split(" || "))
    return found


def conversations() -> list[tuple[str, list[tuple[str, str]]]]:
    """Each conversation's title and its (author, message) pairs, in order."""
    found: list[tuple[str, list[tuple[str, str]]]] = []
    for line in _lines(ORDINARY):
        if line.startswith("=== "):
            found.append((line[4:].strip(), []))
        else:
            author, _, message = line.partition(": ")
            found[-1][1].append((author, message))
    return found


@dataclass
class Figures:
    held: dict[str, tuple[int, int]] = field(default_factory=dict)  # category: (held, of)
    missed: list[tuple[str, str]] = field(default_factory=list)  # (category, disguise)
    wrongly_held: list[tuple[str, str, str]] = field(default_factory=list)  # (title, text, found)
    ordinary: int = 0

    def share(self, category: str) -> float:
        held, total = self.held[category]
        return held / total

    @property
    def disguises(self) -> int:
        return sum(total for _, total in self.held.values())

    @property
    def held_share(self) -> float:
        return sum(held for held, _ in self.held.values()) / self.disguises

    @property
    def false_hold_share(self) -> float:
        return len(self.wrongly_held) / self.ordinary


def measure(allowed_hosts: tuple[str, ...] = ("marketplace.example",)) -> Figures:
    """Run the detector over both corpora, each message read after its sender's earlier ones."""
    figures = Figures()
    for category, bursts in disguises().items():
        held = 0
        for burst in bursts:
            *earlier, last = burst
            if find_contact_details_in_burst(earlier, last, allowed_hosts):
                held += 1
            else:
                figures.missed.append((category, " || ".join(burst)))
        figures.held[category] = (held, len(bursts))
    for title, messages in conversations():
        sent: dict[str, list[str]] = {}
        for author, text in messages:
            earlier = sent.setdefault(author, [])
            found = find_contact_details_in_burst(earlier, text, allowed_hosts)
            if found:
                figures.wrongly_held.append((title, text, "; ".join(d.text for d in found)))
            earlier.append(text)
            figures.ordinary += 1
    return figures
