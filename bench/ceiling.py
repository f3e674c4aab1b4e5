"""The ceiling for bench_browse.py: a bare Flask page rendering the same 24 cards from memory.

The template is loaded once, as a Flask app's templates are (`render_template`). Until the
fifth 1 December 2026 session this page used `render_template_string`, which compiles its
template afresh on every request (Jinja caches templates by name, not source): served one after
the other in one hour, it answered 463–587 requests/s where this one answers 1,145–1,503, and
every share of the ceiling measured before then is 2 to 2.6 times what it is against a bare
Flask page (bench/README.md).
"""

from __future__ import annotations

from flask import Flask, render_template
from jinja2 import DictLoader

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
app.jinja_loader = DictLoader({"projects.html": PAGE})  # a templates folder, in memory


@app.get("/projects")
def projects() -> str:
    """24 cards, no database, no session."""
    return render_template("projects.html", cards=CARDS)
