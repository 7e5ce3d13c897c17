"""Reading opsync's configuration from the environment and `.env`.

django-environ does the reading; these helpers add what it lacks: every bad value
stops the program with one line that names the variable (never its value, which
may be a password), and booleans accept only true/false spellings.
"""

import ipaddress
import math
import os
import re
import zoneinfo
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


class ConfigError(ImproperlyConfigured):
    """A missing or invalid configuration variable."""


def _kind_in_range(kind: str, minimum: float | None, maximum: float | None) -> str:
    """`a whole number from 1 to 59`: the one message for a bad value, out of range or not a number at all.

    The same words either way, so the line tells the operator what to write, not
    what was wrong with what they wrote (which they can see, and we must not print).
    """

    def shown(bound: int | float) -> str:
        return format(bound, "g") if isinstance(bound, float) else str(bound)

    if minimum is not None and maximum is not None:
        return f"{kind} from {shown(minimum)} to {shown(maximum)}"
    if minimum is not None:
        return f"{kind} of at least {shown(minimum)}"
    if maximum is not None:
        return f"{kind} of at most {shown(maximum)}"
    return kind


def runs_of_three(text: str) -> set[str]:
    """The different runs of three characters in a text: `abcabc` has abc, bca and cab."""
    return {text[i : i + 3] for i in range(len(text) - 2)}


def _within(value: float, minimum: float | None, maximum: float | None) -> bool:
    return (minimum is None or minimum <= value) and (maximum is None or value <= maximum)


# A line django-environ reads: NAME=value, `export ` allowed before (its own rule).
ENV_LINE = re.compile(r"\A(?:export )?([A-Za-z_0-9]+)=(.*)\Z")
CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")


def env_file_problem(text: str) -> str | None:
    """The first line of a `.env` that django-environ would skip with a warning, leaving the variable at
    its default (`DEBUG true` would start opsync with DEBUG off, saying nothing), or whose quote is not
    closed (the quote would become part of the value): where it is, and its name, never its value."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if found := ENV_LINE.match(line):
            name, value = found.groups()
            if value[:1] in ("'", '"') and (len(value) < 2 or value[-1] != value[0]):
                return f"line {number}: the value of {name} opens a quote it does not close"
            continue
        if line.startswith(CONFLICT_MARKERS):
            return f"line {number}: a merge-conflict marker; keep one side of the conflict"
        if word := re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)", line):
            name = word.group(1)
            return f"line {number}: {name} is not read; write {name}=value from the line's start, no space around ="
        return f"line {number}: not a NAME=value line nor a comment (# …)"
    return None


class Settings:
    """Typed access to variables; raises ConfigError naming the variable.

    The methods are not named after the types they return: in the class body a
    method called `str` would shadow the builtin in every later annotation.
    """

    def __init__(self, env_file: Path):
        if env_file.exists():
            # The process environment wins over the file (overwrite=False).
            try:
                if problem := env_file_problem(env_file.read_text(encoding="utf-8")):
                    raise ConfigError(f"{env_file}, {problem}")
                environ.Env.read_env(env_file, overwrite=False)
            except UnicodeDecodeError:
                raise ConfigError(f"{env_file} is not UTF-8 text: save it as UTF-8") from None
            except OSError as exc:
                raise ConfigError(f"{env_file} cannot be read ({exc.strerror})") from None

    def text(self, name: str, default: str | None = None) -> str:
        value = self.verbatim(name).strip()
        if value:
            return value
        if default is None:
            raise ConfigError(f"{name} is not set (see .env.example)")
        return default

    def raw(self, name: str, default: str = "") -> str:
        """A value used verbatim, such as a password (never echoed back)."""
        return self.verbatim(name, default)

    @staticmethod
    def verbatim(name: str, default: str = "") -> str:
        """The variable as written: django-environ's Env would read `$HOME` (or a password that begins
        with `$`) as the name of another variable and put that one's value in its place."""
        return os.environ.get(name, default)

    def integer(
        self, name: str, default: int | None = None, *, minimum: int | None = None, maximum: int | None = None
    ) -> int:
        """A whole number; the bounds catch values that parse but would break the program later.

        A batch size of 0 or a retry count of 0 is a number, and would fail only deep
        inside a run, without naming the variable.
        """
        refusal = ConfigError(f"{name} must be {_kind_in_range('a whole number', minimum, maximum)}")
        try:
            value = int(self.text(name, None if default is None else str(default)))
        except ValueError:
            raise refusal from None
        if not _within(value, minimum, maximum):
            raise refusal
        return value

    def number(self, name: str, default: float, *, minimum: float | None = None, maximum: float | None = None) -> float:
        refusal = ConfigError(f"{name} must be {_kind_in_range('a number', minimum, maximum)}")
        try:
            value = float(self.text(name, str(default)))
        except ValueError:
            raise refusal from None
        # float() also reads "nan" and "inf", which no setting means (and NaN is in no range).
        if not math.isfinite(value) or not _within(value, minimum, maximum):
            raise refusal
        return value

    def boolean(self, name: str, default: bool | None = None) -> bool:
        written = self.text(name, None if default is None else str(default)).lower()
        if written in TRUE_WORDS:
            return True
        if written in FALSE_WORDS:
            return False
        raise ConfigError(f"{name} must be true or false")

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(name, default).lower()
        if value not in choices:
            raise ConfigError(f"{name} must be one of: {', '.join(choices)}")
        return value

    def secret_key(self, name: str) -> str:
        """Production's key: at least 50 characters without a repeating pattern, and not Django's insecure
        placeholder. `check --deploy` asks only for 5 different characters, which `abcde` ten times over has;
        a random key of 50 characters has some 48 different runs of three, a pattern a handful. The line
        never shows the key."""
        value = self.text(name)
        if len(value) < 50 or len(runs_of_three(value)) < 40 or value.startswith("django-insecure"):
            raise ConfigError(
                f"{name} is too weak for production: at least 50 random characters, without a repeating pattern "
                '(python -c "import secrets; print(secrets.token_urlsafe(50))")'
            )
        return value

    def language(self, name: str, default: str, languages: tuple[str, ...]) -> str:
        """A language opsync speaks: `fr`, `en`, or a regional form of one (`fr-fr`)."""
        value = self.text(name, default).lower()
        if value.split("-")[0] not in languages:
            raise ConfigError(f"{name} must be one of: {', '.join(languages)}")
        return value

    def time_zone(self, name: str, default: str) -> str:
        value = self.text(name, default)
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{name} must be a time zone name, such as Africa/Libreville") from None
        return value

    def writable_file(self, name: str, default: Path) -> Path:
        """A file opsync appends to (the sync log): refused at start-up when it could not be, rather
        than failing the first run after its record is made; its folder is made if need be."""
        path = Path(self.text(name, str(default)))
        if path.is_dir():
            raise ConfigError(f"{name} is a folder: name a file in it, such as {path / 'sync-facturation.log'}")
        existing = next(parent for parent in (path, *path.parents) if parent.exists())
        writable = os.access(existing, os.W_OK) and (existing == path or os.access(existing, os.X_OK))
        if (existing != path and not existing.is_dir()) or not writable:
            raise ConfigError(f"{name} cannot be written: {existing} is not a folder opsync may write in")
        try:  # its folder, so that the first line written (a failed login, say) finds it; opsync's user's and group's
            path.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"{name} cannot be written: its folder cannot be made ({exc.strerror})") from None
        return path

    def emails(self, name: str) -> list[tuple[str, str]]:
        """`Ops <ops@example.ga>, dev@example.ga` → [("Ops", "ops@example.ga"), ("dev@example.ga", …)]."""
        people = []
        for item in self.items(name, ""):
            person, address = (
                (item[: item.index("<")].strip(), item[item.index("<") + 1 : -1])
                if item.endswith(">") and "<" in item
                else (item, item)
            )
            if "@" not in address or " " in address:
                raise ConfigError(f"{name} must be a comma-separated list of e-mail addresses")
            people.append((person or address, address))
        return people

    def items(self, name: str, default: str) -> list[str]:
        """A comma-separated list; empty items (a trailing comma) are dropped."""
        return [item.strip() for item in self.text(name, default).split(",") if item.strip()]


def database_settings(config: Settings, prefix: str, *, default_name: str, base_dir: Path, read_only: bool) -> dict:
    """A Django DATABASES entry from the Laravel-style `<prefix>DB_*` variables.

    MySQL sessions run in UTC so that TIMESTAMP columns are read and written as the
    instant they denote, whatever the server's own time zone (Libreville is UTC+1).
    A read-only entry opens every session read-only: MySQL refuses writes even for a
    user with more grants, and SQLite opens the file with mode=ro.
    """
    engine = config.choice(f"{prefix}DB_CONNECTION", ("mysql", "sqlite"), "sqlite")
    if engine == "sqlite":
        path = Path(config.text(f"{prefix}DB_DATABASE", default_name))
        if not path.is_absolute():
            path = base_dir / path
        if read_only:
            return {"ENGINE": "django.db.backends.sqlite3", "NAME": f"file:{path}?mode=ro"}
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}

    session = ["SET time_zone = '+00:00'"]
    if read_only:
        # Two statements in all (syncapp/sql/reader says what Django's backend would add): the
        # character set, the time zone and Django's SQL_AUTO_IS_NULL in one; Django's own isolation
        # level (READ COMMITTED, its default) with READ ONLY in the other.
        session = [
            "SET NAMES utf8mb4, time_zone = '+00:00', sql_auto_is_null = 0",
            "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY",
        ]
    else:
        # Strict: a value OPS cannot hold is refused (and recorded), never silently cut.
        session.append("SET sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'")
    options = {
        "charset": "utf8mb4",
        "init_command": "; ".join(session),
        "connect_timeout": config.integer(f"{prefix}DB_CONNECT_TIMEOUT", 5, minimum=1, maximum=600),
        # Django's setting, given to MySQLdb as it connects: neither sends SET autocommit then.
        "autocommit": True,
    }
    if read_only:
        options["isolation_level"] = None  # set by init_command
    host = config.text(f"{prefix}DB_HOST", "127.0.0.1")
    if ca := config.text(f"{prefix}DB_SSL_CA", ""):  # TLS, the server's certificate checked against this CA
        options["ssl"] = {"ca": ca}
        options["ssl_mode"] = config.choice(
            f"{prefix}DB_SSL_MODE", ("verify_identity", "verify_ca"), "verify_identity"
        ).upper()
    if not read_only and load_data_allowed(host, tls=bool(ca)):
        options["local_infile"] = True  # the first copy loads files (syncapp/engine/bulk.py)
    return {
        "ENGINE": "syncapp.sql.reader" if read_only else "django.db.backends.mysql",
        "HOST": host,
        "PORT": config.integer(f"{prefix}DB_PORT", 3306, minimum=1, maximum=65535),
        "NAME": config.text(f"{prefix}DB_DATABASE"),
        "USER": config.text(f"{prefix}DB_USERNAME"),
        "PASSWORD": config.raw(f"{prefix}DB_PASSWORD"),
        "OPTIONS": options,
    }


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "")


def load_data_allowed(host: str, *, tls: bool) -> bool:
    """Whether opsync may let the OPS server ask for local files (LOAD DATA LOCAL INFILE, its first copies).

    A server that can ask may ask for any file the process can read, `.env` included: so only a
    server on this host (or a socket), or one whose identity TLS has checked. Elsewhere the first
    copies go by batched upserts, slower, and `--check` says why in one line.
    """
    return tls or host in LOCAL_HOSTS or host.startswith("/") or loopback(host)


def loopback(host: str) -> bool:
    """An address of this machine's loopback (127.0.0.0/8, ::1): no one between."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name
        return False
