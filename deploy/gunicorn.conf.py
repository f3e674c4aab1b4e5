"""gunicorn's settings for one app server: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

The systemd unit `marketplace-web@PORT` runs it with GUNICORN_BIND=127.0.0.1:PORT; nginx spreads
requests over those ports. `systemctl reload` sends HUP: new workers start with the new code and
settings, and the old ones finish their requests (up to `graceful_timeout`) before they exit.
"""

import importlib.util
import os
from pathlib import Path

# Where this server listens (nginx's upstream lists each one).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers, one request at a time each: pages wait on PostgreSQL, never on a slow client
# (nginx buffers both ways) nor on uploads (the browser sends files to S3 itself). Two per core
# and one more, the usual rule; WEB_CONCURRENCY overrides it (e.g. to share a small machine).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
worker_class = "sync"

# A worker silent this long is killed and replaced: above the slowest page (the annual report's
# PDF, a large CSV export), below nginx's proxy_read_timeout (90 s) so nginx sees a 502 it may
# retry rather than hanging.
timeout = 60
# On HUP or TERM, workers finish what they hold for up to this long, then are killed.
graceful_timeout = 30
keepalive = 2

# Each worker is replaced after about a thousand requests (the jitter keeps them from all
# restarting at once), which bounds what any slow leak can grow to.
max_requests = 1000
max_requests_jitter = 100

# Not preloaded: the master never imports the app, so a HUP reload really loads new code, and
# each worker opens its own database connections after the fork (none are shared across it).
preload_app = False

# The heartbeat file on tmpfs: a busy disk cannot make a healthy worker look dead. (gunicorn
# makes it with mkstemp and unlinks it at once: nothing to guess or follow there.)
SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHM if os.path.isdir(SHM) else None

# No access log: the app writes one JSON line per request (LOG_FORMAT=json, production's
# default) with its request id and duration. gunicorn's own lines (starting, a worker killed,
# an error in a response) go to stderr, the journal, as JSON too, and a worker's carry the id of
# the request it was handling.
accesslog = None
errorlog = "-"
loglevel = "info"
proc_name = "marketplace-web"


def _json_formatter() -> type:
    """The app's JSON formatter, loaded from its file: the master must not import the package
    (`marketplace.…`), or a HUP would start new workers on the code it holds."""
    path = Path(__file__).resolve().parent.parent / "marketplace" / "request_log.py"
    spec = importlib.util.spec_from_file_location("gunicorn_request_log", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.JsonFormatter


if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": []},  # each worker's app adds its own
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "formatters": {"json": {"()": _json_formatter()}},
    }
