"""Configuration from environment variables (12-factor).

`make run` needs none of them: the defaults are an embedded SQLite file, uploads on local disk
and mail written to an outbox folder, all under `instance/`. Production sets `APP_ENV=production`
and at least `SECRET_KEY` and `DATABASE_URL`.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import overload

ROOT = Path(__file__).resolve().parent
# The zone of people with no school or organisation, and of a new school unless told.
DEFAULT_TIMEZONE = "America/New_York"
FORM_OVERHEAD_BYTES = 1024 * 1024  # a form's fields and multipart boundaries around its file
INSECURE_KEYS = {"", "dev", "change-me", "changeme", "secret", "development"}


@overload
def _env(name: str) -> str | None: ...
@overload
def _env(name: str, default: str) -> str: ...
@overload
def _env(name: str, default: str | None) -> str | None: ...


def _env(name: str, default: str | None = None) -> str | None:
    """The variable's value; unset or empty gives `default` (a str default gives a str)."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _flag(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret_key(instance_path: Path) -> str:
    """Return the development secret key kept in `instance/`, creating it on first use."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    """Settings shared by every environment; each value can be overridden by the environment."""

    ENV_NAME = "development"

    def __init__(self) -> None:
        self.INSTANCE_PATH = Path(_env("INSTANCE_PATH", str(ROOT / "instance")))
        self.SQLALCHEMY_DATABASE_URI = _env(
            "DATABASE_URL", f"sqlite:///{self.INSTANCE_PATH / 'marketplace.sqlite3'}"
        )
        self.SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}  # pings: see marketplace/pool.py
        self.SECRET_KEY = _env("SECRET_KEY")
        self.BASE_URL = _env("BASE_URL", "http://127.0.0.1:5000")
        self.DEFAULT_TIMEZONE = _env("DEFAULT_TIMEZONE", DEFAULT_TIMEZONE)
        # Development without BASE_URL: links follow the address actually served (see web.base_url).
        self.BASE_URL_FROM_REQUEST = _env("BASE_URL") is None and self.ENV_NAME == "development"

        # Storage: "local" (files under UPLOAD_DIR) or "s3" (an S3-compatible bucket).
        self.STORAGE_BACKEND = _env("STORAGE_BACKEND", "local")
        self.UPLOAD_DIR = _env("UPLOAD_DIR", str(self.INSTANCE_PATH / "uploads"))
        self.S3_BUCKET = _env("S3_BUCKET")
        self.S3_ENDPOINT_URL = _env("S3_ENDPOINT_URL")
        self.S3_REGION = _env("S3_REGION", "us-east-1")
        self.S3_ACCESS_KEY_ID = _env("S3_ACCESS_KEY_ID")
        self.S3_SECRET_ACCESS_KEY = _env("S3_SECRET_ACCESS_KEY")
        self.S3_TIMEOUT = float(_env("S3_TIMEOUT", "10"))
        self.MAX_FILE_BYTES = int(_env("MAX_FILE_BYTES", str(100 * 1024 * 1024)))
        self.MAX_PROJECT_BYTES = int(_env("MAX_PROJECT_BYTES", str(300 * 1024 * 1024)))
        self.MAX_IMAGE_PIXELS = int(_env("MAX_IMAGE_PIXELS", str(40_000_000)))
        # A video's own cap: each school sets its pitch videos' size, never above this.
        self.MAX_VIDEO_BYTES = int(_env("MAX_VIDEO_BYTES", str(500 * 1024 * 1024)))
        # Media jobs (covers' thumbnails, decks' slides, videos' posters), made by the worker in
        # a process limited to MEDIA_MEMORY_MB of memory and MEDIA_CPU_SECONDS of CPU time.
        self.MEDIA_BATCH_SIZE = int(_env("MEDIA_BATCH_SIZE", "10"))
        self.MEDIA_CLAIM_SECONDS = int(_env("MEDIA_CLAIM_SECONDS", "900"))
        self.MEDIA_MAX_ATTEMPTS = int(_env("MEDIA_MAX_ATTEMPTS", "5"))
        self.MEDIA_RETRY_BASE_SECONDS = float(_env("MEDIA_RETRY_BASE_SECONDS", "30"))
        self.MEDIA_RETRY_MAX_SECONDS = float(_env("MEDIA_RETRY_MAX_SECONDS", "3600"))
        self.MEDIA_MEMORY_MB = int(_env("MEDIA_MEMORY_MB", "1024"))
        self.MEDIA_CPU_SECONDS = int(_env("MEDIA_CPU_SECONDS", "300"))
        self.MEDIA_TIMEOUT_SECONDS = int(_env("MEDIA_TIMEOUT_SECONDS", "600"))

        # Mail: "outbox" (files under instance/outbox, nothing leaves the machine) or "smtp".
        self.MAIL_BACKEND = _env("MAIL_BACKEND", "outbox")
        self.MAIL_OUTBOX_DIR = _env("MAIL_OUTBOX_DIR", str(self.INSTANCE_PATH / "outbox"))
        self.MAIL_FROM = _env("MAIL_FROM", "Marketplace <no-reply@marketplace.example>")
        self.SMTP_HOST = _env("SMTP_HOST", "localhost")
        self.SMTP_PORT = int(_env("SMTP_PORT", "25"))
        self.SMTP_USERNAME = _env("SMTP_USERNAME")
        self.SMTP_PASSWORD = _env("SMTP_PASSWORD")
        self.SMTP_STARTTLS = _flag("SMTP_STARTTLS", False)
        self.SMTP_SSL = _flag("SMTP_SSL", False)
        self.SMTP_TIMEOUT = float(_env("SMTP_TIMEOUT", "10"))
        # "inline": the web process also sends the mail it just committed (the default, so
        # `make run` mails at once); "worker": only `flask worker` sends. Either way the worker
        # retries what failed and runs the scheduled jobs.
        self.MAIL_DELIVERY = _env("MAIL_DELIVERY", "inline")
        self.MAIL_BATCH_SIZE = int(_env("MAIL_BATCH_SIZE", "100"))
        self.MAIL_CLAIM_SECONDS = int(_env("MAIL_CLAIM_SECONDS", "300"))  # a dead worker's lease
        self.MAIL_MAX_ATTEMPTS = int(_env("MAIL_MAX_ATTEMPTS", "8"))
        self.MAIL_RETRY_BASE_SECONDS = float(_env("MAIL_RETRY_BASE_SECONDS", "30"))
        self.MAIL_RETRY_MAX_SECONDS = float(_env("MAIL_RETRY_MAX_SECONDS", str(6 * 3600)))
        self.WORKER_POLL_SECONDS = float(_env("WORKER_POLL_SECONDS", "2"))
        self.SCHEDULE_EVERY_SECONDS = int(_env("SCHEDULE_EVERY_SECONDS", "300"))

        # Throttling (Flask-Limiter). memory:// suits one process; production uses Redis.
        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
        self.RATELIMIT_HEADERS_ENABLED = False
        # Failed log-ins only, and never from a browser that logged in to the account before
        # (so nobody can lock an owner out of their own device). A whole class often shares
        # one school address: the per-address limit is generous.
        self.LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS = _env(
            "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS", "10 per 15 minutes"
        )
        self.LOGIN_LIMIT_PER_ACCOUNT = _env("LOGIN_LIMIT_PER_ACCOUNT", "30 per hour")
        self.LOGIN_LIMIT_PER_ADDRESS = _env("LOGIN_LIMIT_PER_ADDRESS", "300 per 15 minutes")
        # A browser that logged in to the account before (with its present password).
        self.LOGIN_LIMIT_KNOWN_DEVICE = _env("LOGIN_LIMIT_KNOWN_DEVICE", "30 per hour")
        self.JOIN_LIMIT_PER_ADDRESS = _env("JOIN_LIMIT_PER_ADDRESS", "100 per hour")
        # Invitation forms one organiser may send (each up to 100 people, 500 per event).
        self.EVENT_INVITE_LIMIT = _env("EVENT_INVITE_LIMIT", "30 per hour")
        self.MAIL_LIMIT_PER_ADDRESS = _env("MAIL_LIMIT_PER_ADDRESS", "10 per hour")
        # Messages a person may send: a flood is stopped (and its notifications fold, below).
        self.MESSAGE_LIMIT_PER_THREAD = _env("MESSAGE_LIMIT_PER_THREAD", "20 per 10 minutes")
        self.MESSAGE_LIMIT_PER_SENDER = _env("MESSAGE_LIMIT_PER_SENDER", "100 per hour")
        # New messages in a thread within this many minutes of an unread notice of it update
        # that notice instead of mailing another.
        self.MESSAGE_FOLD_MINUTES = int(_env("MESSAGE_FOLD_MINUTES", "15"))
        # Sign-up, joining a class and "forgot password" answer no sooner than this, whether the
        # address or username has an account or not: their timing tells nothing either.
        self.EVEN_ANSWER_SECONDS = float(_env("EVEN_ANSWER_SECONDS", "0.35"))

        # Password hashing (argon2id); tests lower the cost, production keeps the library default.
        self.ARGON2_TIME_COST = int(_env("ARGON2_TIME_COST", "3"))
        self.ARGON2_MEMORY_COST = int(_env("ARGON2_MEMORY_COST", "65536"))

        self.INVITATION_DAYS = int(_env("INVITATION_DAYS", "7"))
        self.TOKEN_MAX_AGE_SECONDS = int(_env("TOKEN_MAX_AGE_SECONDS", str(2 * 24 * 3600)))

        # Logs: "text" (readable, development) or "json" (one line per record and per request,
        # with its request id: production's default).
        self.LOG_FORMAT = _env("LOG_FORMAT", "text")

        # Behind a load balancer: how many proxies set X-Forwarded-For/-Proto/-Host (0: none).
        self.PROXY_FIX_HOPS = int(_env("PROXY_FIX_HOPS", "0"))

        # Sessions end after this much idle time (school computers are shared).
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=int(_env("SESSION_IDLE_HOURS", "8")))
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", False)
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        # The largest request body: a whole file posted without JavaScript (MAX_FILE_BYTES) and
        # the form around it. Uploads with JavaScript go straight to storage, each to its size.
        self.MAX_CONTENT_LENGTH = int(
            _env("MAX_CONTENT_LENGTH", str(self.MAX_FILE_BYTES + FORM_OVERHEAD_BYTES))
        )
        self.PREFERRED_URL_SCHEME = _env("PREFERRED_URL_SCHEME", "http")

    def finalise(self) -> None:
        """Fill the values that depend on the environment kind."""
        if not self.SECRET_KEY:
            self.SECRET_KEY = _dev_secret_key(self.INSTANCE_PATH)


class DevelopmentConfig(Config):
    """The embedded default that `make run` serves."""


class ProductionConfig(Config):
    """Behind gunicorn: refuses to start without real secrets."""

    ENV_NAME = "production"

    def __init__(self) -> None:
        super().__init__()
        self.SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", True)
        self.PREFERRED_URL_SCHEME = _env("PREFERRED_URL_SCHEME", "https")
        self.MAIL_BACKEND = _env("MAIL_BACKEND", "smtp")  # the outbox folder is for development
        self.MAIL_DELIVERY = _env("MAIL_DELIVERY", "worker")  # requests never wait on SMTP
        self.LOG_FORMAT = _env("LOG_FORMAT", "json")

    def finalise(self) -> None:
        missing = [name for name in ("DATABASE_URL", "BASE_URL") if not _env(name)]
        if missing:
            raise RuntimeError(f"Set {' and '.join(missing)} in production (see README).")
        key = self.SECRET_KEY or ""
        if key.strip().lower() in INSECURE_KEYS or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )


class TestConfig(Config):
    """Used by the test-suite; the fixtures override the database URL and paths."""

    ENV_NAME = "test"

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "test-secret-key-not-for-production-use-0123456789"  # noqa: S105
        self.ARGON2_TIME_COST = 1
        self.ARGON2_MEMORY_COST = 1024
        self.SERVER_NAME = None
        self.EVEN_ANSWER_SECONDS = 0.0  # the timing test turns it on


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "test": TestConfig}


def load_config(name: str | None = None) -> Config:
    """Build the configuration named by `name` or by the APP_ENV variable."""
    name = name or _env("APP_ENV", "development")
    try:
        config = CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {sorted(CONFIGS)}, not {name!r}") from None
    config.finalise()
    return config
