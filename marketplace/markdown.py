"""Markdown that users write (challenge statements, project bodies), rendered and sanitised.

markdown-it-py parses CommonMark with raw HTML turned off; nh3 (ammonia) then keeps only an
allowlist of tags and attributes, so no script, no `on*` or `hx-*` attribute and no
`javascript:` or `data:` URL can reach a page, whatever the parser lets through.
"""

from __future__ import annotations

import functools

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}  # fmt: skip  (no <img>: a picture from another site would tell it who reads the page)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for `text`; the only place user Markdown becomes markup."""
    return sanitise(_parser.render(text or ""))


@functools.lru_cache(maxsize=64)
def _kept(text: str) -> Markup:
    return render_markdown(text)


def render_kept(text: str | None) -> Markup:
    """`render_markdown` for a text many read again and again (a project's story, a
    challenge's statement), the last 64 kept in the process: rendering and sanitising a page
    of Markdown takes a millisecond or more, and the result depends on the text alone. A
    message is not kept: few read it, and a held one should not linger in memory."""
    return _kept(text or "")


def sanitise(html: str, also_allow: frozenset[str] = frozenset()) -> Markup:
    """`html` cut down to the allowlist, plus the `also_allow` tags (a diff's <ins>, say)."""
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS | also_allow,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
