"""The project marketplace for work-based learning."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import ROOT, Config, load_config

from . import (
    auth,
    challenges,
    cli,
    cursors,
    dashboard,
    demo,
    engagements,
    errors,
    extensions,
    health,
    messaging,
    nav,
    notifications,
    organisations,
    partners,
    pitch_events,
    placements,
    pool,
    projects,
    read_only,
    reports,
    request_log,
    schools,
    sessions,
    storage,
    teams,
    web,
)
from .forms_common import MAX_ID

# The features, each adding its pages (and commands, subscribers) through its own `register`.
FEATURES = (
    auth,
    dashboard,
    schools,
    teams,
    organisations,
    partners,
    challenges,
    projects,
    pitch_events,
    engagements,
    placements,
    reports,
    messaging,
    notifications,
)


class RowIdConverter(IntegerConverter):
    """`<int:…>` in URLs, bounded to what an id column holds: a huge number is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class App(Flask):
    jinja_environment = web.Templates


def create_app(config: Config | None = None) -> Flask:
    """Build the application from a config object (by default the one APP_ENV names)."""
    config = config or load_config()
    app = App(
        __name__,
        instance_path=str(config.INSTANCE_PATH),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(config)
    app.url_map.converters["int"] = RowIdConverter
    if config.PROXY_FIX_HOPS:
        hops = config.PROXY_FIX_HOPS
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    request_log.register(app)
    extensions.register(app)
    read_only.register(app)  # after the extensions: its teardown runs before the session's
    pool.register(app)
    cursors.register(app)
    sessions.register(app)
    storage.register(app)
    web.register(app)
    errors.register(app)
    cli.register(app)
    health.register(app)
    for feature in FEATURES:
        feature.register(app)
    nav.register(app)
    demo.register(app)
    return app
