"""The contact-detail hold on its corpora: the share of disguises held, per category, and the
share of ordinary messages wrongly held (tests/corpus/, read as tests/contact_corpus.py does).

    .venv/bin/python bench/contact_figures.py            # the figures
    .venv/bin/python bench/contact_figures.py --list     # and every miss and false hold

Each message is read after its sender's earlier messages in the same burst or conversation, as
the app reads a message after the same sender's last ones in a thread.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.contact_corpus import measure


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print each miss and false hold")
    args = parser.parse_args()
    start = time.perf_counter()
    figures = measure()
    took = time.perf_counter() - start
    print(f"{'category':<20} {'held':>9} {'share':>7}")
    for category, (held, total) in figures.held.items():
        print(f"{category:<20} {held:>4}/{total:<4} {held / total:>7.1%}")
    held_all = sum(held for held, _ in figures.held.values())
    print(f"{'all disguises':<20} {held_all:>4}/{figures.disguises:<4} {figures.held_share:>7.1%}")
    wrong = len(figures.wrongly_held)
    print(
        f"ordinary messages wrongly held: {wrong}/{figures.ordinary}"
        f" ({figures.false_hold_share:.2%}); {took:.2f} s in all"
    )
    if args.list:
        for category, text in figures.missed:
            print(f"missed [{category}]: {text}")
        for title, text, found in figures.wrongly_held:
            print(f"wrongly held [{title}]: {text}  ->  {found}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
