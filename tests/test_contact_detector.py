"""The contact-detail detector holds messages with a way to reach someone, and nothing else.

Pure function tests: no app, no database.
"""

from __future__ import annotations

import socket
import time

import pytest

from marketplace.messaging import contact_links, contact_text
from marketplace.messaging.contacts import (
    ContactDetail,
    find_contact_details,
    find_contact_details_in_burst,
    reason,
)

from .contact_corpus import Figures, conversations, disguises, measure

# (id, message, the one kind of detail it holds)
POSITIVE = [
    # e-mail addresses, plain and disguised
    ("email-plain", "email me at ava.m22@gmail.com", "email"),
    ("email-plus", "my address is ava+work@outlook.com", "email"),
    ("email-school", "Contact: j.doe@riverside.k12.ca.us thanks", "email"),
    ("email-caps", "AVA.M@YAHOO.COM", "email"),
    ("email-at-dot-words", "name at gmail dot com", "email"),
    ("email-square", "name [at] gmail [dot] com", "email"),
    ("email-round", "name(at)gmail(dot)com", "email"),
    ("email-spaced", "name @ gmail . com", "email"),
    ("email-upper-words", "name AT gmail DOT com", "email"),
    ("email-fullwidth-at", "name＠gmail.com", "email"),
    ("email-small-at", "name﹫gmail.com", "email"),
    ("email-zero-width", "a\u200bv\u200ba@gm\u200cail.com", "email"),
    ("email-soft-hyphen", "ava\u00ad@gmail\u00ad.com", "email"),
    ("email-word-at-real-dot", "write to ava at gmail.com", "email"),
    ("email-braces", "ava{at}hotmail{dot}com", "email"),
    ("email-angle", "ava <at> icloud <dot> com", "email"),
    ("email-provider-no-tld", "ava@gmail", "email"),
    ("email-bracket-provider", "ava [at] gmail", "email"),
    ("email-handle-like-provider", "reach me at ava_m22 at gmail", "email"),
    ("email-co-uk", "ava at mail dot school dot co dot uk", "email"),
    ("email-mixed-obfuscation", "ava (at) gmail.com", "email"),
    # phone numbers
    ("phone-dashes", "call me on 555-123-4567", "phone"),
    ("phone-parens", "(555) 123-4567", "phone"),
    ("phone-dots", "555.123.4567", "phone"),
    ("phone-plus-one", "text +1 555 123 4567", "phone"),
    ("phone-one-dash", "1-555-123-4567", "phone"),
    ("phone-unbroken", "5551234567", "phone"),
    ("phone-local", "my cell is 555-1234", "phone"),
    ("phone-uk-plus", "+44 20 7946 0958", "phone"),
    ("phone-uk-trunk", "ring 020 7946 0958 after school", "phone"),
    ("phone-uk-mobile", "07700 900123", "phone"),
    ("phone-fr", "06 12 34 56 78", "phone"),
    ("phone-en-dash", "555–123–4567", "phone"),
    ("phone-fullwidth", "５５５-１２３-４５６７", "phone"),
    ("phone-words", "five five five one two three four five six seven", "phone"),
    ("phone-words-commas", "text me: five five five, one two three, four five six seven", "phone"),
    ("phone-words-seven", "one two three four five six seven", "phone"),
    ("phone-words-hyphens", "five-five-five-one-two-three-four", "phone"),
    ("phone-mixed", "555 one two three 4567", "phone"),
    ("phone-mixed-oh", "five five five oh one two three four five six", "phone"),
    ("phone-spaced-digits", "5 5 5 1 2 3 4 5 6 7", "phone"),
    ("phone-letter-o", "555 O12 3456", "phone"),
    ("phone-zero-width", "555\u200b-123\u200b-4567", "phone"),
    ("phone-after-words", "whatsapp me on 555 123 4567", "phone"),
    ("phone-signal-number", "I'm on signal +1 555 987 6543", "phone"),
    ("phone-in-sentence", "Just call 5551234567 when you get there.", "phone"),
    # social handles
    ("handle-at", "@ava_m", "handle"),
    ("handle-at-in-sentence", "follow me @ava.m22 for updates", "handle"),
    ("handle-insta-is", "my insta is ava.m", "handle"),
    ("handle-snap-colon", "snap: avam22", "handle"),
    ("handle-discord-tag", "add me on discord avam#1234", "handle"),
    ("handle-tiktok-at", "tiktok @x", "handle"),
    ("handle-ig-colon", "IG: ava", "handle"),
    ("handle-instagram-underscore", "find me on instagram ava_m", "handle"),
    ("handle-telegram", "my telegram is @avam", "handle"),
    ("handle-whatsapp-at", "whatsapp @ava_m", "handle"),
    ("handle-signal", "signal: ava.22", "handle"),
    ("handle-snap-is-word", "my snap is avam", "handle"),
    ("handle-discord-name", "my discord username is ava_codes", "handle"),
    ("handle-insta-handle", "insta handle: ava_m", "handle"),
    ("handle-tik-tok", "tik tok ava.dances", "handle"),
    ("handle-roblox", "roblox ava2010", "handle"),
    ("handle-fullwidth-at", "＠ava_m", "handle"),
    # outside links
    ("url-https", "see https://example.com/page?x=1", "url"),
    ("url-http", "http://evil.example/x", "url"),
    ("url-www", "www.example.com", "url"),
    ("url-bare-path", "example.com/page", "url"),
    ("url-shortener", "bit.ly/abc", "url"),
    ("url-dot-word", "example dot com", "url"),
    ("url-dot-brackets", "example[dot]com", "url"),
    ("url-youtu-be", "watch youtu.be/abc123", "url"),
    ("url-telegram-link", "t.me/avam", "url"),
    ("url-discord-invite", "join discord.gg/abcd", "url"),
    ("url-bare-domain", "my site is avamakes.dev", "url"),
    ("url-co-uk", "check bbc.co.uk for it", "url"),
    ("url-ip-port", "127.0.0.1:5000/projects/5", "url"),
    ("url-instagram-profile", "instagram.com/ava_m", "url"),
    ("url-at-gmail-dot-com", "email me at gmail dot com", "url"),
]

NEGATIVE = [
    ("time-date", "Can we meet at 3:30 on 11/24?"),
    ("iso-date", "The demo is on 2026-11-23 in the main hall."),
    ("us-date", "Meeting on 11-24-2026 at 10:00-11:30."),
    ("datetime", "The 2026-11-23 14:30 slot works."),
    ("hours", "We work from 9 to 5 on Fridays."),
    ("wage", "The internship pays $16.50 an hour."),
    ("budget", "The budget for parts is $1,200."),
    ("pounds", "Tickets are £12.50 each or 3 for £30."),
    ("big-count", "We sold 1,234,567 units in the simulation."),
    ("measurement", "Use a 3.5 mm drill bit for the mounts."),
    ("release", "We shipped the 1.2.3 release last night."),
    ("python-version", "The scripts need Python 3.11 or newer."),
    ("os-version", "Version 10.15.7 broke the build."),
    ("pdf", "I uploaded the pitch deck.pdf to the project page."),
    ("docx", "Please read report.docx before Monday."),
    ("py-file", "The entry point is main.py in the repo root."),
    ("path", "Open the file at src/app/main.py."),
    ("score", "We scored 98 out of 100 on the final review."),
    ("room", "The workshop is in room 214, building B."),
    ("room-decimal", "Room 3.14 at 2."),
    ("patients", "We tested 1500 patients for the study."),
    ("at-school", "We meet at school after lunch."),
    ("look-at", "Look at the data before you draw conclusions."),
    ("at-time", "The call is at 5 pm tomorrow."),
    ("library", "I'm at the library until four."),
    ("team-at-school", "Our team at school meets on Tuesday."),
    ("at-sentence-end", "We looked at data. Net profit rose."),
    ("dots", "Connect the dots between the survey and the sales."),
    ("dot-com-bubble", "The dot com bubble is a good case study."),
    ("dot-net", "We used dot net for the API."),
    ("price-at", "Apples were 5 @ $3 at the market."),
    ("eg", "Bring safety gear, e.g. goggles and gloves."),
    ("ie", "The sensor is cheap, i.e. under ten dollars."),
    ("mr", "Mr. Smith will mentor the team."),
    ("ms", "I emailed Ms. Lee about it."),
    ("no-space-after-period", "We finished the first sprint.Next we test the prototype."),
    ("zip", "The ZIP code is 12345."),
    ("zip-plus-four", "Ship it to 12345-6789."),
    ("year-range", "The project runs 2024-2026."),
    ("oh-year-range", "Oh, 2024-2025 was a big year for us."),
    ("dimensions", "The box is 10 x 20 x 30 cm."),
    ("order-number", "My order number is 482913."),
    ("ratio", "Mix the resin 3:1 with hardener."),
    ("hashtags", "We posted it with #robotics and #stem."),
    ("q-and-a", "We'll do a Q&A after the talk."),
    ("youtube", "We posted a demo video to YouTube."),
    ("discord-for", "I use Discord for my club."),
    ("instagram-is", "Our Instagram is growing fast."),
    ("instagram-status", "Instagram: posted three reels this week."),
    ("tiktok-status", "TikTok: 2 videos, 300 views."),
    ("discord-yes", "Discord: yes."),
    ("twitter-api", "We use the twitter API for data."),
    ("signal-weak", "My signal is weak in the lab."),
    ("snap-fit", "Snap fit joints worked well."),
    ("asp-net", "We built the backend in ASP.NET."),
    ("socket-io", "We used socket.io for live updates."),
    ("node-js", "The Node.js server restarted."),
    ("code-call", "Call df.info() to see the columns."),
    ("decorator", "Add @app.route('/projects') above the view."),
    ("ratings", "The ratings were 4.5 3.2 4.8 5.0 and 4.9."),
    ("score-list", "Scores: 5, 5, 4, 5, 3, 4, 5."),
    ("decimals", "The sample was 0.5 0.25 0.125 ml."),
    ("isbn", "The ISBN is 978-0-13-110362-7."),
    ("number-words", "We have one, two or three options."),
    ("few-number-words", "One of the two teams had three members."),
    ("coordinates", "Coordinates 51.5074, -0.1278"),
    ("percent", "We aim for 100% uptime."),
    ("release-time", "I emailed the team about the 5.1 release at 2.30pm."),
    ("someone-at-company", "We spoke to someone at Yahoo about it."),
    ("chapter", "Chapter 1.2.3.4 is short."),
    ("lumber", "We need 2x4 boards, 8 ft long."),
    ("phone-word", "The lab phone is broken, email the office instead."),
    ("website-word", "Our website will be ready in week 3."),
]


def kinds(text: str, **kwargs) -> list[str]:
    return [detail.kind for detail in find_contact_details(text, **kwargs)]


@pytest.mark.parametrize(("text", "kind"), [pytest.param(t, k, id=i) for i, t, k in POSITIVE])
def test_finds_contact_details(text: str, kind: str) -> None:
    assert kinds(text) == [kind]


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in NEGATIVE])
def test_leaves_ordinary_sentences_alone(text: str) -> None:
    assert find_contact_details(text) == []


def test_the_corpora_are_big_enough() -> None:
    assert len(POSITIVE) >= 60
    assert len(NEGATIVE) >= 60


@pytest.mark.parametrize(
    ("text", "written"),
    [
        pytest.param("mail a\u200bv\u200ba@gmail.com now", "a\u200bv\u200ba@gmail.com", id="zwsp"),
        pytest.param("write name＠gmail.com", "name＠gmail.com", id="fullwidth"),
        pytest.param("ring (555) 123-4567.", "(555) 123-4567", id="phone-parens"),
        pytest.param("see https://example.com/x.", "https://example.com/x", id="url-full-stop"),
        pytest.param("add me on discord avam#1234", "discord avam#1234", id="platform"),
    ],
)
def test_reports_the_text_as_written(text: str, written: str) -> None:
    assert [detail.text for detail in find_contact_details(text)] == [written]


def test_finds_every_detail_in_order() -> None:
    text = "text 555-123-4567 or ava@gmail.com, snap: ava22, or see ava.dev/blog"
    assert find_contact_details(text) == [
        ContactDetail("phone", "555-123-4567"),
        ContactDetail("email", "ava@gmail.com"),
        ContactDetail("handle", "snap: ava22"),
        ContactDetail("url", "ava.dev/blog"),
    ]


@pytest.mark.parametrize(
    ("text", "allowed", "expected"),
    [
        pytest.param(
            "see https://marketplace.example/projects/5551234567",
            ["marketplace.example"],
            [],
            id="own-host-masks-numbers-in-it",
        ),
        pytest.param("www.marketplace.example/x", ["marketplace.example"], [], id="subdomain"),
        pytest.param("http://127.0.0.1:5000/p/3", ["127.0.0.1:5000"], [], id="host-and-port"),
        pytest.param(
            "http://127.0.0.1:8000/p/3", ["127.0.0.1:5000"], ["url"], id="other-port-held"
        ),
        pytest.param(
            "https://evil.example/x and https://marketplace.example/y",
            ["https://marketplace.example/"],
            ["url"],
            id="allowed-entry-as-url",
        ),
        pytest.param(
            "http://marketplace.example.evil.com/x",
            ["marketplace.example"],
            ["url"],
            id="lookalike-prefix-held",
        ),
        pytest.param(
            "teacher@marketplace.example", ["marketplace.example"], ["email"], id="email-held"
        ),
    ],
)
def test_allowed_hosts(text: str, allowed: list[str], expected: list[str]) -> None:
    assert kinds(text, allowed_hosts=allowed) == expected


@pytest.mark.parametrize(
    ("found", "sentence"),
    [
        pytest.param(["phone"], "It looks like it contains a phone number.", id="one"),
        pytest.param(
            ["phone", "email", "phone"],
            "It looks like it contains a phone number and an e-mail address.",
            id="two",
        ),
        pytest.param(
            ["handle", "url", "email"],
            "It looks like it contains a social media handle, a link to another website"
            " and an e-mail address.",
            id="three",
        ),
        pytest.param([], "", id="none"),
    ],
)
def test_reason(found: list[str], sentence: str) -> None:
    assert reason([ContactDetail(kind, "x") for kind in found]) == sentence


def test_long_messages_stay_fast() -> None:
    """Disguise-tolerant patterns must not backtrack badly on long, repetitive input."""
    start = time.perf_counter()
    for text in ["a dot " * 2000, "a at b dot " * 2000, "1 " * 5000, "a." * 5000]:
        find_contact_details(text)
    assert time.perf_counter() - start < 2


# --- disguises: look-alike characters, spelled numbers, any public suffix, platforms ----------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        pytest.param("ava@gmаil.com", "email", id="cyrillic-a-in-domain"),
        pytest.param("ava@gmαil.cοm", "email", id="greek-letters"),
        pytest.param("a v a @ g m a i l . c o m", "email", id="spaced-letters"),
        pytest.param("5five5 2o1 77eight8", "phone", id="mixed-digit-words"),
        pytest.param("5️⃣5️⃣5️⃣ 2️⃣0️⃣1️⃣ 7️⃣7️⃣8️⃣8️⃣", "phone", id="keycaps"),
        pytest.param("٥٥٥ ١٢٣ ٤٥٦٧", "phone", id="arabic-indic-digits"),
        pytest.param("555 l23 4567", "phone", id="l-for-one"),
        pytest.param("five fifty five, two oh one, seventy seven eighty eight", "phone", id="tens"),
        pytest.param("555 🔥 123 🔥 4567", "phone", id="emoji-separators"),
        pytest.param("call me on 555-123-2019", "phone", id="ends-like-a-year"),
        pytest.param("my phone is 5 5 5, 4 4 4, 1 2 1 2", "phone", id="any-shape-after-phone"),
        pytest.param("add me on snapchat avamakes", "handle", id="invitation"),
        pytest.param("avamakes on the gram", "handle", id="name-on-the-gram"),
        pytest.param("sc: avam22", "handle", id="weak-nickname-with-handle"),
        pytest.param("my gmail is avamakes", "email", id="provider-named"),
        pytest.param("check out avamakes.shop", "url", id="uncommon-tld"),
        pytest.param("avamakes dot store", "url", id="uncommon-tld-dot-word"),
        pytest.param("avamakes (dot) lol", "url", id="uncommon-tld-bracketed-dot"),
        pytest.param("ava.ai", "url", id="ai-domain"),
        pytest.param("portfolio: ava.me", "url", id="personal-me-domain"),
    ],
)
def test_finds_disguised_details(text: str, kind: str) -> None:
    assert kinds(text) == [kind]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("We used Discord to plan the launch.", id="discord-to-plan"),
        pytest.param("I watched a YouTube tutorial about soldering.", id="youtube-tutorial"),
        pytest.param("Could you add me on LinkedIn please?", id="linkedin-no-name"),
        pytest.param("Pictures on Instagram got 300 likes.", id="sentence-on-instagram"),
        pytest.param("We posted the 10 gram weights on the shelf.", id="gram-unit"),
        pytest.param("Please read report.pdf and notes.md.", id="file-names"),
        pytest.param("Run main.py, then setup.sh; the clip is demo.mov.", id="files-on-tlds"),
        pytest.param("The logo files are logo.ai, logo.eps and logo.png.", id="illustrator-file"),
        pytest.param("Set user.name first, then call app.run().", id="code"),
        pytest.param("That's done.Next is the budget.", id="sentence-run-together"),
        pytest.param("Meet at 3:30 in Room 204, v2.1 of the deck, slide 7.", id="times-rooms"),
        pytest.param("Can we do nine thirty, ten fifteen or eleven?", id="times-in-words"),
        pytest.param("Term runs 09/01/2025-12/15/2025.", id="dates-with-slashes"),
        pytest.param("Can you call on 11/24/2026 or text by 2026-11-30?", id="dates-by-a-call"),
        pytest.param("The part number is 10045-33-B.", id="part-number"),
        pytest.param("Click the red dot in the corner.", id="dot-in-prose"),
    ],
)
def test_leaves_lookalike_ordinary_text_alone(text: str) -> None:
    assert find_contact_details(text) == []


def test_reports_a_disguise_as_written() -> None:
    (detail,) = find_contact_details("mail аvа@gmаil.com now")
    assert detail == ContactDetail("email", "аvа@gmаil.com")


def test_lists_and_lookalikes_load_without_the_network(monkeypatch) -> None:
    """The public suffixes and the confusables ship in their packages; nothing is fetched."""

    def no_network(*args, **kwargs):
        raise AssertionError("the detector tried to use the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    contact_links._suffix_list.cache_clear()
    contact_text._lookalikes.cache_clear()
    assert contact_links.public_suffix("ava.shop") == "shop"
    assert contact_links.public_suffix("bbc.co.uk") == "co.uk"
    assert contact_links.public_suffix("report.pdf") is None
    assert contact_text.plain("gmаil")[0] == "gmail"


# --- a burst: the same sender's messages just before ------------------------------------------


def test_a_number_sent_in_three_messages_is_found_in_the_third() -> None:
    assert find_contact_details_in_burst([], "555") == []
    assert find_contact_details_in_burst(["555"], "123") == []
    (detail,) = find_contact_details_in_burst(["555", "123"], "4567")
    assert (detail.kind, detail.across) == ("phone", True)
    assert reason([detail]).startswith("Read with the messages sent just before it, it looks")


@pytest.mark.parametrize(
    ("earlier", "text", "kind"),
    [
        pytest.param(["ava@gm"], "ail", "email", id="cut-inside-a-word"),
        pytest.param(["ava.makes22", "@"], "gmail", "email", id="at-on-its-own"),
        pytest.param(["add me on snapchat"], "avamakes", "handle", id="platform-then-name"),
        pytest.param(["a", "v", "a", "@", "gmail"], ".com", "email", id="letter-by-letter"),
    ],
)
def test_details_split_over_messages(earlier: list[str], text: str, kind: str) -> None:
    assert [d.kind for d in find_contact_details_in_burst(earlier, text)] == [kind]


def test_a_burst_reports_only_what_reaches_the_new_message() -> None:
    assert find_contact_details_in_burst(["call 555-123-4567"], "thanks!") == []
    found = find_contact_details_in_burst(["hi"], "ava@gmail.com")
    assert found == [ContactDetail("email", "ava@gmail.com")]  # found alone: not "across"


def test_sentences_are_not_run_together_across_messages() -> None:
    earlier = ["We tested the ponds on the farm.", "Results next week"]
    assert find_contact_details_in_burst(earlier, "pH 7.2, 7.8 and 8.4.") == []


# --- the corpora: share held per category, share of ordinary messages wrongly held -----------


@pytest.fixture(scope="module")
def figures() -> Figures:
    return measure()


def test_the_corpora_are_large_enough() -> None:
    assert sum(len(bursts) for bursts in disguises().values()) >= 150
    assert sum(len(messages) for _, messages in conversations()) >= 500


@pytest.mark.parametrize("category", list(disguises()))
def test_disguises_are_held(figures: Figures, category: str) -> None:
    missed = [text for cat, text in figures.missed if cat == category]
    assert figures.share(category) >= 0.95, missed


def test_ordinary_messages_are_rarely_held(figures: Figures) -> None:
    assert figures.false_hold_share <= 0.02, figures.wrongly_held
