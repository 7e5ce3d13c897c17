"""Django settings for opsync, read from the environment and `.env` (see .env.example)."""

import os
from pathlib import Path

from opsync.env import ConfigError, Settings, database_settings

BASE_DIR = Path(__file__).resolve().parent.parent
# OPSYNC_ENV_FILE names another file (the test suite points it at none, to be hermetic).
config = Settings(Path(os.environ.get("OPSYNC_ENV_FILE", BASE_DIR / ".env")))

DEBUG = config.bool("DEBUG", False)
if DEBUG:
    SECRET_KEY = config.str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = config.str("SECRET_KEY")
ALLOWED_HOSTS = config.list("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
if not ALLOWED_HOSTS and not DEBUG:
    raise ConfigError("ALLOWED_HOSTS is not set (needed when DEBUG is false)")

INSTALLED_APPS = [
    "opsync.apps.OpsyncAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_crontab",
    "syncapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
DATABASE_ROUTERS = ["syncapp.routers.FacturationRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = config.str("LANGUAGE_CODE", "fr")
TIME_ZONE = config.str("TIME_ZONE", "Africa/Libreville")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# The sync (see syncapp/engine.py for how each is used).
SYNC_LOG_FILE = Path(config.str("SYNC_LOG_FILE", str(BASE_DIR / "logs" / "sync-facturation.log")))
SYNC_STALE_AFTER_MINUTES = config.int("SYNC_STALE_AFTER", 15)
SYNC_LOOKBACK_SECONDS = config.int("SYNC_LOOKBACK_SECONDS", 600)
SYNC_BATCH_SIZE = config.int("SYNC_BATCH_SIZE", 1000)
SYNC_MAX_DELETE_RATIO = config.float("SYNC_MAX_DELETE_RATIO", 0.10)
# Below this many rows a run may always mark rows deleted: in a table of 8 rows, one
# deletion is 12 %, and must not need an operator.
SYNC_MAX_DELETE_FLOOR = config.int("SYNC_MAX_DELETE_FLOOR", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(message)s", "datefmt": "%Y-%m-%dT%H:%M:%S%z"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # delay: the file is opened on the first line written, by the sync only.
        "sync_file": {
            "class": "logging.FileHandler",
            "filename": SYNC_LOG_FILE,
            "formatter": "line",
            "encoding": "utf-8",
            "delay": True,
        },
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "opsync.sync": {"handlers": ["sync_file"], "level": "INFO", "propagate": False},
    },
}
