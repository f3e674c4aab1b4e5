"""User Markdown is rendered by a real parser and sanitised: nothing executable survives."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from marketplace import markdown
from marketplace.markdown import render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    '<div hx-get="/auth/logout" hx-trigger="load">x</div>',
    '<form action="/auth/logout" method="post"><button>x</button></form>',
    "<iframe src=https://evil.example></iframe>",
    '<svg onload="alert(1)"></svg>',
    "![tracker](https://evil.example/pixel.png)",
    '<p style="background:url(https://evil.example)">x</p>',
]


class Elements(HTMLParser):
    """The real elements and attributes of a piece of HTML (escaped text does not count)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markup_is_neutralised(text):
    """No script, event handler, htmx attribute, form, frame, style or remote image survives."""
    found = Elements(str(render_markdown(text)))
    assert not {"script", "img", "form", "iframe", "svg", "button", "div"} & set(found.tags)
    for name, value in found.attributes:
        assert not name.startswith(("on", "hx-")) and name != "style", name
        if name == "href":
            assert value.startswith(("https:", "http:", "mailto:")), value


def test_ordinary_markdown_renders():
    """Headings, emphasis, lists, code, tables and safe links work."""
    html = str(
        render_markdown(
            "# Problem\n\n**Paper** forms, *slow* lines.\n\n- one\n- two\n\n`code`\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n[clinic](https://clinic.example)"
        )
    )
    assert "<h1>Problem</h1>" in html
    assert "<strong>Paper</strong>" in html and "<em>slow</em>" in html
    assert "<li>one</li>" in html and "<code>code</code>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert 'href="https://clinic.example"' in html
    assert 'rel="nofollow noopener noreferrer"' in html


def test_empty_text_is_empty():
    """No statement renders as nothing."""
    assert str(render_markdown(None)) == ""


def test_a_text_many_read_is_rendered_once_and_the_same(monkeypatch):
    """A project's story or a challenge's statement is rendered on its first view and kept."""
    text = f"A **story** told once, {id(object())}"  # a text no other test has rendered
    rendered = []
    render = markdown.render_markdown

    def counted(value):
        rendered.append(value)
        return render(value)

    monkeypatch.setattr(markdown, "render_markdown", counted)
    first, second = markdown.render_kept(text), markdown.render_kept(text)
    assert first == second == render(text)
    assert "<strong>story</strong>" in first
    assert rendered == [text]
