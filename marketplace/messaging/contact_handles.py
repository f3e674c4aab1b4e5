"""Social media handles in plain text (see contact_text.plain).

- "@name" on its own, or "@ name" when the name looks like a handle (not an e-mail's "@", not
  a decorator's "@app.route(").
- A platform or its nickname (snapchat/snap, instagram/insta/ig/"the gram", tiktok, discord,
  whatsapp, telegram, ...) followed by a name: one that looks like a handle (a digit, "_", "#",
  an inner "." or a leading "@"); or any name after "my <platform> is" or "my <platform>
  username", after "<platform>:" or "on <platform> I'm" when the name ends the clause, or after
  an invitation ("add me on snapchat ava", "snap me at ava", "follow my tiktok ava", "I post on
  tiktok as ava"). Short nicknames that are also words or units (sc, tt, wa, dc, tg, x, gram,
  steam, threads) count only after an invitation, or before a handle-like name after "my" or
  ":" / "-".
- A name before "on <platform>": "ava_22 on tiktok"; a plain name only where a clause starts or
  after "follow", "add", "find", "it's" ("avamakes on the gram"), and not a capitalised word
  opening the message ("Pictures on Instagram") unless the platform is slang (the gram, insta).
- "<name> is my <platform>".
- "my gmail is ava", "hotmail: ava_m" are e-mail addresses, found the same way.
A platform named with nothing handle-like after it ("we used Discord to plan", "I watched a
YouTube tutorial", "add me on LinkedIn please") is not a contact detail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .contact_links import PROVIDERS
from .contact_text import COMMON_WORDS, words

Span = tuple[int, int, str]

_STRONG = (
    r"insta(?:gram)?|ig|snap(?:chat)?|discord|tik\s?tok|twitter|whats\s?app|telegram|signal|kik"
    r"|facebook|fb|messenger|linked\s?in|youtube|yt|twitch|reddit|roblox|skype|we\s?chat|viber"
    r"|bereal|pinterest|tumblr|vsco|bluesky|bsky|mastodon|the\s+gram|imessage|facetime"
)
_WEAK = r"sc|tt|wa|dc|tg|x|gram|tele|threads|steam|xbox|psn|minecraft|fortnite"
_PLATFORMS = rf"(?P<platform>{_STRONG}|{_WEAK}|(?P<provider>{PROVIDERS}))"
_FILLER = (
    r"(?P<filler>(?:\s+(?:name|handle|username|user|id|tag|gamertag|account|addy|is|me|at|on|as"
    r"|i'?m|i\s+am|it'?s))*)"
)
_HANDLE_TEXT = r"(?P<token>@?[a-z_][\w.#-]*\w|@?[a-z])"
_NOT_NAMES = COMMON_WORDS | words(
    "post posts page channel story stories feed profile reel reels live stream server dm dms"
    " tutorial tutorials update updates link links app api ad ads account handle got has had"
    " keeps kept said says group chats instagram insta ig snapchat snap discord tiktok twitter"
    " whatsapp telegram signal kik facebook fb messenger linkedin youtube yt twitch reddit"
    " roblox skype wechat viber bereal pinterest tumblr vsco bluesky bsky mastodon gram"
)

_MAYBE_PLATFORM = re.compile(rf"\b(?:{_STRONG}|{_WEAK}|{PROVIDERS})\b", re.I)
_AT_HANDLE = re.compile(
    r"(?<![\w@.+-])@(?:[a-z_](?:[\w.]*\w)?|\s(?=[a-z_][\w.]*[\d_.])[a-z_][\w.]*\w)"
    r"(?![\w(]|\.\w)",
    re.I,
)
_PLATFORM_NAME = re.compile(
    rf"\b(?P<my>my\s+)?{_PLATFORMS}{_FILLER}"
    rf"(?P<sep>\s*(?:[:=|>,→➡]|[-=]>)\s*|\s+-\s+|\s+|\s*@\s*){_HANDLE_TEXT}(?![\w#])",
    re.I,
)
_NAME_ON = re.compile(
    rf"(?<![\w@.#-]){_HANDLE_TEXT}\s+(?:on|@|at|in)\s+{_PLATFORMS}(?![\w])",
    re.I,
)
_NAME_IS_MY = re.compile(
    rf"(?<![\w@.#-]){_HANDLE_TEXT}\s+(?:is|=)\s+my\s+{_PLATFORMS}"
    r"(?=\s*(?:$|[,.;:!?)\n]|(?:handle|name|username|account|@)\b))",
    re.I,
)
_INVITE = re.compile(
    r"(?:\b(?:add|follow|find|dm|message|msg|text|reach|contact|ping|friend|search|look|chat"
    r"|talk|snap|hit)\s+(?:me|us)(?:\s+up)?(?:\s+(?:on|at|in|via|over))?"
    r"|\bhmu(?:\s+(?:on|at))?"
    r"|\b(?:check\s+out|follow|sub(?:scribe)?\s+to|add|find)\s+(?:me\s+on\s+)?my"
    r"|\b(?:i'?m|i\s+am|we'?re|we\s+are)\s+(?:also\s+)?on)\s+$",
    re.I,
)
_HANDLE_NOUNS = words("name handle username user id tag gamertag account addy")
_ON_AS = re.compile(r"\b(?:i|we)\b[^.!?\n]{0,20}\bon\s+$", re.I)
_NAME_CUE = re.compile(
    r"(?:^|[:,;(\n-]\s*|\b(?:follow|add|find|search(?:\s+for)?|look\s+up|it'?s|its|as|hmu"
    r"|handle|username|name)\s+)$",
    re.I,
)


def handles(norm: str) -> Iterator[Span]:
    """Handles (and e-mail addresses given as "my gmail is …"), as spans of the text."""
    for match in _AT_HANDLE.finditer(norm):
        yield match.start(), match.end(), "handle"
    if not _MAYBE_PLATFORM.search(norm):
        return
    for match in _PLATFORM_NAME.finditer(norm):
        if _named_after(norm, match):
            yield match.start(), match.end(), "email" if match["provider"] else "handle"
    for match in _NAME_ON.finditer(norm):
        if _named_before(norm, match):
            yield match.start(), match.end(), "email" if match["provider"] else "handle"
    for match in _NAME_IS_MY.finditer(norm):
        if _name(match["token"]) not in _NOT_NAMES:
            yield match.start(), match.end(), "email" if match["provider"] else "handle"


def _name(token: str) -> str:
    return token.lstrip("@ ").lower()


def _shaped(token: str) -> bool:
    """Whether a name looks like a handle: "@ava", "ava_m", "ava.m", "ava22", "ava#1234"."""
    return token.startswith("@") or (
        len(token) >= 3 and re.search(r"[\d_#]|\w\.\w", token) is not None
    )


def _weak(platform: str) -> bool:
    return re.fullmatch(_WEAK, platform, re.I) is not None


def _named_after(norm: str, match: re.Match[str]) -> bool:
    """Whether "<platform> … <token>" gives a way to reach someone (see the module docstring)."""
    token = match["token"]
    if _name(token) in _NOT_NAMES:
        return False
    filler = set(match["filler"].lower().split())
    start = match.start("platform")
    invited = (
        _INVITE.search(norm, max(0, start - 40), start) is not None
        or "me" in filler  # "snap me at ava"
        or ("as" in filler and _ON_AS.search(norm, max(0, start - 40), start) is not None)
    )
    if _weak(match["platform"]) and not invited:
        return _shaped(token) and bool(match["my"] or re.search(r"[:=|>→➡-]", match["sep"]))
    ends_clause = re.match(r"\s*(?:$|[,;.!?)\n])", norm[match.end() :]) is not None
    named = "is" in filler or (bool(_HANDLE_NOUNS & filler) and ends_clause)
    my_is = bool(match["my"]) and named  # "my snap is ava", "my discord username ava"
    my_is = my_is and not match.group().lower().startswith("my signal")  # "my signal is weak"
    colon_ends_clause = bool(re.search(r"[:=]", match["sep"])) and ends_clause
    i_am = bool({"im", "i'm", "i"} & filler) and ends_clause  # "on the gram I'm ava"
    at_sign = "@" in match["sep"]  # "insta @ ava"
    return _shaped(token) or at_sign or my_is or colon_ends_clause or i_am or invited


def _named_before(norm: str, match: re.Match[str]) -> bool:
    """Whether "<token> on <platform>" names a handle (see the module docstring)."""
    token = match["token"]
    if _name(token) in _NOT_NAMES:
        return False
    if _shaped(token):
        return True
    if _weak(match["platform"]):
        return False
    start = match.start()
    if not _NAME_CUE.search(norm, max(0, start - 20), start):
        return False
    opening = start == 0 or norm[:start].strip() == ""
    slang = re.fullmatch(r"(?:the\s+)?gram|insta|snap|ig", match["platform"], re.I) is not None
    return slang or not (opening and token.istitle())  # "Pictures on Instagram", a sentence
