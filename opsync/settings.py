"""Django settings for opsync, read from the environment and `.env` (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF

from opsync.env import ConfigError, Settings, database_settings
from opsync.logs import cron_output, server_error

BASE_DIR = Path(__file__).resolve().parent.parent
# OPSYNC_ENV_FILE names another file (the test suite points it at none, to be hermetic).
config = Settings(Path(os.environ.get("OPSYNC_ENV_FILE", BASE_DIR / ".env")))

DEBUG = config.boolean("DEBUG", False)
if DEBUG:
    SECRET_KEY = config.text("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = config.secret_key("SECRET_KEY")
ALLOWED_HOSTS = config.items("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
if not ALLOWED_HOSTS and not DEBUG:
    raise ConfigError("ALLOWED_HOSTS is not set (needed when DEBUG is false)")
# The machine's own names besides: gunicorn listens on the loopback only (deploy/opsync.service), and a
# monitor on the machine asks it there, `curl http://127.0.0.1:8010/healthz/sync`, without a Host to forge.
ALLOWED_HOSTS += [name for name in ("localhost", "127.0.0.1", "[::1]") if name not in ALLOWED_HOSTS]

INSTALLED_APPS = [
    "opsync.apps.OpsyncAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "syncapp.apps.LoginRecordsConfig",  # django-axes: login throttling (syncapp/web/logins.py)
    "syncapp",
    "syncapp.adopted",
    "django_crontab",  # after syncapp, whose `crontab` command is django-crontab's, mended
]
# The adopted tables' models are the operations application's tables: no migration names them.
MIGRATION_MODULES = {"adopted": None}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # CONTENT_SECURITY_POLICY, below
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers a locked login with syncapp.web.logins.locked_out
]

# Logins (syncapp/web/logins.py): LOGIN_FAILURE_LIMIT failures within LOGIN_LOCKOUT_MINUTES lock an
# address (whatever the accounts) and an account (whatever the addresses), except at the account's own
# desk, where only its own failures there count; every failure is logged.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = config.integer("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=config.integer("LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=1440))
AXES_LOCKOUT_PARAMETERS = "syncapp.web.logins.lockout_parameters"
# Not axes' own reset, which forgives every failure of the address, another account's too:
# syncapp.web.logins.login_forgives_own_failures forgives the account's own, at its address.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "syncapp.web.logins.locked_out"
AXES_CLIENT_IP_CALLABLE = "syncapp.web.logins.client_address"
AXES_VERBOSE = False  # syncapp.web.logins logs each failure, in the sync log
# A login lasts until the browser closes, and LOGIN_SESSION_HOURS at most (a working day): not Django's
# 14 days past the closing, which kept a shared or stolen computer logged in.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 3600 * config.integer("LOGIN_SESSION_HOURS", 10, minimum=1, maximum=24)

# Content-Security-Policy (django-csp): a page loads and runs opsync's own files only: no inline script
# or style (the templates' styles are in syncapp/static/opsync/), nothing from another site, never inside
# another site's frame. So a value that slipped into a page (a FAC row's text, a server's message) could
# neither run, nor restyle it, nor send anything elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}

ROOT_URLCONF = "opsync.urls"
WSGI_APPLICATION = "opsync.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# `default` is OPS (read-write, migrated); `facturation` is FAC (read-only source).
DATABASES = {
    "default": database_settings(config, "", default_name="db.sqlite3", base_dir=BASE_DIR, read_only=False),
    "facturation": database_settings(
        config, "FAC_", default_name="facturation.sqlite3", base_dir=BASE_DIR, read_only=True
    ),
}
DATABASE_ROUTERS = ["syncapp.config.routers.FacturationRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGES = [("fr", "Français"), ("en", "English")]
LANGUAGE_CODE = config.language("LANGUAGE_CODE", "fr", tuple(code for code, _ in LANGUAGES))
TIME_ZONE = config.time_zone("TIME_ZONE", "Africa/Libreville")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["opsync.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = Path(config.text("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
if not DEBUG:
    # WhiteNoise serves the admin's static files from STATIC_ROOT under gunicorn, so the web
    # server needs no rule for them (runserver serves them itself when DEBUG is true).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Production behind the existing web server (TLS ends there; see docs/guide-exploitation.md,
# « Installation en production »).
CSRF_TRUSTED_ORIGINS = config.items("CSRF_TRUSTED_ORIGINS", "")
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = config.boolean("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/"]  # monitors on the host may call it over plain HTTP
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = config.integer("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = config.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = config.boolean("SECURE_HSTS_PRELOAD", False)

# Mail: alerts go to ADMINS through Django's mail machinery.
ADMINS = config.emails("ADMINS")
EMAIL_BACKEND = config.text("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = config.text("EMAIL_HOST", "localhost")
EMAIL_PORT = config.integer("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = config.text("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = config.raw("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = config.boolean("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = config.boolean("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
SERVER_EMAIL = DEFAULT_FROM_EMAIL = config.text("SERVER_EMAIL", "opsync@localhost")
EMAIL_SUBJECT_PREFIX = "[opsync] "
# Where the dashboard is, for links in alert mails (e.g. https://ops.example.ga).
OPSYNC_BASE_URL = config.text("OPSYNC_BASE_URL", "").rstrip("/")

# The sync (see syncapp/engine/ and syncapp/running/watch.py for how each is used). Each variable has its setting's
# name, and a range checked here: a value that parses but makes no sense (0 retries, a
# batch of 0) stops the program at start-up with one line, not a run in the middle.
SYNC_LOG_FILE = config.writable_file("SYNC_LOG_FILE", BASE_DIR / "logs" / "sync-facturation.log")
SYNC_STALE_AFTER = config.integer("SYNC_STALE_AFTER", 15, minimum=1, maximum=30 * 24 * 60)  # minutes, a month
# The operator's mapping (TOML) for OPS tables that already exist: see syncapp/config/mapping_file.py.
SYNC_MAPPING_FILE = config.text("SYNC_MAPPING_FILE", "")
if SYNC_MAPPING_FILE and not Path(SYNC_MAPPING_FILE).is_absolute():
    SYNC_MAPPING_FILE = str(BASE_DIR / SYNC_MAPPING_FILE)
SYNC_LOOKBACK_SECONDS = config.integer("SYNC_LOOKBACK_SECONDS", 600, minimum=0, maximum=7 * 86400)  # a week
# True where FAC's administrator granted the reader PROCESS (docs/guide-exploitation.md): each run then
# sees FAC's open transactions, and reads back past the oldest one that has written rows.
SYNC_LOOKBACK_OPEN_TRANSACTIONS = config.boolean("SYNC_LOOKBACK_OPEN_TRANSACTIONS", False)
# The batch is the length of an `IN (...)` list and of an executemany batch, so it stays
# well under MySQL's cap of 65,535 placeholders in a statement.
SYNC_BATCH_SIZE = config.integer("SYNC_BATCH_SIZE", 1000, minimum=1, maximum=10000)
SYNC_MAX_DELETE_RATIO = config.number("SYNC_MAX_DELETE_RATIO", 0.10, minimum=0, maximum=1)
# Below this many rows a run may always mark rows deleted: in a table of 8 rows, one
# deletion is 12 %, and must not need an operator.
SYNC_MAX_DELETE_FLOOR = config.integer("SYNC_MAX_DELETE_FLOOR", 5, minimum=0, maximum=10**9)
SYNC_KEEP_DAYS = config.integer("SYNC_KEEP_DAYS", 90, minimum=1, maximum=3650)
# A table's transaction that waits this long for a lock in OPS, or is chosen as a
# deadlock victim, is tried again from the start, up to SYNC_WRITE_RETRIES times.
SYNC_LOCK_WAIT_TIMEOUT = config.integer("SYNC_LOCK_WAIT_TIMEOUT", 20, minimum=1, maximum=3600)  # seconds
SYNC_WRITE_RETRIES = config.integer("SYNC_WRITE_RETRIES", 3, minimum=1, maximum=9)  # attempts, the first included
# The daily check at 02:47: `repair` compares every row and writes what differs (mailing what
# it repaired), `verify` only compares (a difference fails the run, and is mailed), `off`.
SYNC_DAILY = config.choice("SYNC_DAILY", ("repair", "verify", "off"), "repair")
if config.text("SYNC_VERIFY_DAILY", ""):
    raise ConfigError("SYNC_VERIFY_DAILY is replaced by SYNC_DAILY (repair, verify or off)")
# The crontab's minute field is `*/N`, which means "every N minutes" only below 60.
SYNC_INTERVAL_MINUTES = config.integer("SYNC_INTERVAL_MINUTES", 5, minimum=1, maximum=59)
# The watcher (`sync_from_facturation --watch`, deploy/opsync-watch.service): it reads FAC's cheap
# hints every SYNC_WATCH_INTERVAL seconds, and runs the full incremental sync itself every
# SYNC_INTERVAL_MINUTES. SYNC_WATCH=true says that it runs: cron then leaves the sync to it
# (keeping the alerts, the daily check and the pruning), and --status warns when none is alive.
SYNC_WATCH = config.boolean("SYNC_WATCH", False)
SYNC_WATCH_INTERVAL = config.number("SYNC_WATCH_INTERVAL", 2, minimum=0.1, maximum=60)  # seconds
# Where FAC has no index on updated_at, each early sync scans the table: the next waits this many
# times that scan, so that FAC spends at most 1 / (1 + factor) of its time on opsync (3: a quarter).
SYNC_WATCH_SCAN_FACTOR = config.number("SYNC_WATCH_SCAN_FACTOR", 3, minimum=0, maximum=100)
# /healthz/sync?fac=1 reaches FAC at most once per this many seconds, however often it is called.
SYNC_HEALTH_FAC_EVERY = config.integer("SYNC_HEALTH_FAC_EVERY", 60, minimum=1, maximum=3600)

# The schedule (django-crontab): `manage.py crontab add|show|remove` for the current user.
# Each line runs this checkout's Python and manage.py, output appended to the sync log.
# With a watcher (SYNC_WATCH=true) the sync is its own; cron only sends the alerts on that rhythm.
CRONJOBS = [
    (
        f"*/{SYNC_INTERVAL_MINUTES} * * * *",
        "syncapp.running.cron.scheduled_alerts" if SYNC_WATCH else "syncapp.running.cron.scheduled_sync",
    ),
    ("17 3 * * *", "syncapp.running.cron.scheduled_prune"),  # daily, off the hour
]
if SYNC_DAILY != "off":
    CRONJOBS.append(("47 2 * * *", "syncapp.running.cron.scheduled_daily"))
CRONTAB_EXECUTABLE = config.text("CRONTAB_EXECUTABLE", "/usr/bin/crontab")
CRONTAB_DJANGO_MANAGE_PATH = str(BASE_DIR / "manage.py")
CRONTAB_COMMENT = f"opsync {BASE_DIR}"  # marks this checkout's lines, so `remove` touches only them
# Nothing before the command: django-crontab's `crontab show` and `remove` read the job's hash as its
# fifth word. After it, its output appended to the log (opsync.logs.cron_output says how).
CRONTAB_COMMAND_SUFFIX = cron_output(SYNC_LOG_FILE)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(message)s", "datefmt": "%Y-%m-%dT%H:%M:%S%z"},
        "client_mistake": {"()": "opsync.logs.WithoutTraceback", "format": "%(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "client_mistakes": {"class": "logging.StreamHandler", "formatter": "client_mistake"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["production", "server_errors"],
        },
        # delay: the file is opened on the first line written, by the sync only; 0640, reopened once
        # logrotate has moved it (opsync.logs.LogFile).
        "sync_file": {
            "class": "opsync.logs.LogFile",
            "filename": SYNC_LOG_FILE,
            "formatter": "line",
            "encoding": "utf-8",
            "delay": True,
        },
    },
    "filters": {
        "production": {"()": "django.utils.log.RequireDebugFalse"},
        "server_errors": {"()": "django.utils.log.CallbackFilter", "callback": server_error},
    },
    "loggers": {
        # A server error is mailed to ADMINS in production, as Django's own default would (not the health
        # check's 503, its answer to the monitor: opsync.logs.server_error).
        "django": {"handlers": ["console", "mail_admins"], "level": "WARNING"},
        # A 400 is the client's own mistake (an unknown Host, a filter the admin refuses, a request too
        # big): said in the journal, never mailed to the ADMINS who receive the sync's alerts.
        "django.security": {"handlers": ["client_mistakes"], "level": "WARNING", "propagate": False},
        "opsync.sync": {"handlers": ["sync_file"], "level": "INFO", "propagate": False},
        "opsync.security": {"handlers": ["sync_file"], "level": "INFO", "propagate": False},
    },
}
