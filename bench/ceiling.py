"""The ceiling for bench_browse.py: a bare Flask page rendering the same 24 cards from memory."""

from __future__ import annotations

from flask import Flask, render_template_string

CARDS = [
    {
        "id": n,
        "title": f"Project {n}",
        "pitch": "A tablet check-in an 80-year-old can finish in two minutes.",
        "skills": ["user research", "figma", "python"],
        "cluster": "Healthcare & Human Services",
        "challenge": "Paper-free patient check-in",
    }
    for n in range(24)
]
PAGE = """<!doctype html><html><head><title>Projects</title></head><body><main>
{% for p in cards %}<article class="project-card"><header><a href="/projects/{{ p.id }}">
<strong>{{ p.title }}</strong></a></header><p>{{ p.pitch }}</p><p>{% for s in p.skills %}
<span class="badge">{{ s }}</span> {% endfor %}</p><footer>{{ p.cluster }} · {{ p.challenge }}
</footer></article>{% endfor %}</main></body></html>"""

app = Flask(__name__)


@app.get("/projects")
def projects() -> str:
    """24 cards, no database, no session."""
    return render_template_string(PAGE, cards=CARDS)
