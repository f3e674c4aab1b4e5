"""The project marketplace for work-based learning."""

from __future__ import annotations

from flask import Flask

from config import ROOT, Config, load_config

from . import auth, cli, dashboard, errors, extensions, organisations, schools, teams, web


def create_app(config: Config | None = None) -> Flask:
    """Build the application from a config object (by default the one APP_ENV names)."""
    config = config or load_config()
    app = Flask(
        __name__,
        instance_path=str(config.INSTANCE_PATH),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(config)

    extensions.register(app)
    web.register(app)
    errors.register(app)
    cli.register(app)
    for blueprint_module in (auth, dashboard, schools, teams, organisations):
        app.register_blueprint(blueprint_module.bp)
    return app
