"""Reading opsync's configuration from the environment and `.env`.

django-environ does the reading; these helpers add what it lacks: every bad value
stops the program with one line that names the variable (never its value, which
may be a password), and booleans accept only true/false spellings.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


class ConfigError(ImproperlyConfigured):
    """A missing or invalid configuration variable."""


class Settings:
    """Typed access to variables; raises ConfigError naming the variable."""

    def __init__(self, env_file: Path):
        self.env = environ.Env()
        if env_file.exists():
            # The process environment wins over the file (overwrite=False).
            environ.Env.read_env(env_file, overwrite=False)

    def has(self, name: str) -> bool:
        return self.env.str(name, default="") != ""

    def str(self, name: str, default: str | None = None) -> str:
        value = self.env.str(name, default="").strip()
        if value:
            return value
        if default is None:
            raise ConfigError(f"{name} is not set (see .env.example)")
        return default

    def raw(self, name: str, default: str = "") -> str:
        """A value used verbatim, such as a password (never echoed back)."""
        return self.env.str(name, default=default)

    def int(self, name: str, default: int | None = None) -> int:
        text = self.str(name, None if default is None else str(default))
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number") from None

    def float(self, name: str, default: float) -> float:
        text = self.str(name, str(default))
        try:
            return float(text)
        except ValueError:
            raise ConfigError(f"{name} must be a number") from None

    def bool(self, name: str, default: bool | None = None) -> bool:
        text = self.str(name, None if default is None else str(default)).lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ConfigError(f"{name} must be true or false")

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.str(name, default).lower()
        if value not in choices:
            raise ConfigError(f"{name} must be one of: {', '.join(choices)}")
        return value

    def emails(self, name: str) -> list[tuple[str, str]]:
        """`Ops <ops@example.ga>, dev@example.ga` → [("Ops", "ops@example.ga"), ("dev@example.ga", …)]."""
        people = []
        for item in self.list(name, ""):
            person, address = (
                (item[: item.index("<")].strip(), item[item.index("<") + 1 : -1])
                if item.endswith(">") and "<" in item
                else (item, item)
            )
            if "@" not in address or " " in address:
                raise ConfigError(f"{name} must be a comma-separated list of e-mail addresses")
            people.append((person or address, address))
        return people

    def list(self, name: str, default: str) -> list[str]:
        return [item.strip() for item in self.str(name, default).split(",") if item.strip()]


def database_settings(config: Settings, prefix: str, *, default_name: str, base_dir: Path, read_only: bool) -> dict:
    """A Django DATABASES entry from the Laravel-style `<prefix>DB_*` variables.

    MySQL sessions run in UTC so that TIMESTAMP columns are read and written as the
    instant they denote, whatever the server's own time zone (Libreville is UTC+1).
    A read-only entry opens every session read-only: MySQL refuses writes even for a
    user with more grants, and SQLite opens the file with mode=ro.
    """
    engine = config.choice(f"{prefix}DB_CONNECTION", ("mysql", "sqlite"), "sqlite")
    if engine == "sqlite":
        path = Path(config.str(f"{prefix}DB_DATABASE", default_name))
        if not path.is_absolute():
            path = base_dir / path
        if read_only:
            return {"ENGINE": "django.db.backends.sqlite3", "NAME": f"file:{path}?mode=ro"}
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}

    session = ["SET time_zone = '+00:00'"]
    if read_only:
        session.append("SET SESSION TRANSACTION READ ONLY")
    else:
        # Strict: a value OPS cannot hold is refused (and recorded), never silently cut.
        session.append("SET sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'")
    options = {
        "charset": "utf8mb4",
        "init_command": "; ".join(session),
        "connect_timeout": config.int(f"{prefix}DB_CONNECT_TIMEOUT", 5),
    }
    if not read_only:
        options["local_infile"] = True  # the first copy loads files (syncapp/bulk.py)
    return {
        "ENGINE": "django.db.backends.mysql",
        "HOST": config.str(f"{prefix}DB_HOST", "127.0.0.1"),
        "PORT": config.int(f"{prefix}DB_PORT", 3306),
        "NAME": config.str(f"{prefix}DB_DATABASE"),
        "USER": config.str(f"{prefix}DB_USERNAME"),
        "PASSWORD": config.raw(f"{prefix}DB_PASSWORD"),
        "OPTIONS": options,
    }
