"""Configuration errors stop the program with one line naming the variable."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from tests.mirror import subprocess_env

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cret-Do-Not-Print"


def manage(*args, **env) -> subprocess.CompletedProcess:
    """Run manage.py with opsync's real settings and exactly the variables given."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DB_", "FAC_DB_", "DJANGO_", "SYNC_", "SECRET_KEY", "TIME_ZONE"))
    }
    # The log's folder is made at start-up: in the suite's scratch folder, never the working tree's logs/.
    scratch = {"SYNC_LOG_FILE": str(django_settings.SCRATCH_DIR / "settings-tests" / "sync-facturation.log")}
    clean |= {"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "opsync.settings"} | scratch | env
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def assert_one_line_error(result, *words):
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    for word in words:
        assert word in lines[0]
    assert SECRET not in output


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"FAC_DB_CONNECTION": "postgres"}, "FAC_DB_CONNECTION"),
        ({"DB_CONNECTION": "oracle"}, "DB_CONNECTION"),
        ({"DB_CONNECTION": "mysql", "DB_DATABASE": "ops", "DB_USERNAME": "u", "DB_PORT": "33o6"}, "DB_PORT"),
        ({"FAC_DB_CONNECTION": "mysql", "FAC_DB_USERNAME": "r", "FAC_DB_PASSWORD": SECRET}, "FAC_DB_DATABASE"),
        ({"DB_CONNECTION": "mysql", "DB_DATABASE": "ops", "DB_PASSWORD": SECRET}, "DB_USERNAME"),
        ({"DEBUG": "false"}, "SECRET_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"SYNC_STALE_AFTER": "quinze"}, "SYNC_STALE_AFTER"),
        ({"SYNC_INTERVAL_MINUTES": "0"}, "SYNC_INTERVAL_MINUTES"),
        ({"SYNC_BATCH_SIZE": "10001"}, "SYNC_BATCH_SIZE"),
        ({"SYNC_LOCK_WAIT_TIMEOUT": "0"}, "SYNC_LOCK_WAIT_TIMEOUT"),
        ({"SYNC_WATCH": "oui"}, "SYNC_WATCH"),
        ({"SYNC_WATCH_INTERVAL": "0"}, "SYNC_WATCH_INTERVAL"),
        ({"EMAIL_PORT": "65536"}, "EMAIL_PORT"),
        ({"ADMINS": "Exploitation <exploitation-at-example.ga>"}, "ADMINS"),
    ],
)
def test_a_bad_variable_gives_one_line_naming_it(env, named):
    assert_one_line_error(manage("check", **env), named)


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("SYNC_WRITE_RETRIES", "0", "a whole number from 1 to 9"),  # 0 attempts used to crash the engine
        ("SYNC_MAX_DELETE_RATIO", "1.5", "a number from 0 to 1"),
    ],
)
def test_a_sync_setting_out_of_range_gives_one_line_naming_it_and_its_range(name, value, allowed):
    result = manage("check", **{name: value})
    assert_one_line_error(result, name, allowed)
    assert value not in (result.stdout + result.stderr).split(name, 1)[1]


def test_each_sync_variable_sets_the_setting_of_its_own_name(tmp_path):
    """One name for the variable and its setting: every SYNC_* setting, and only those, read back."""
    mapping_file = tmp_path / "mapping.toml"
    mapping_file.write_text("[clients]  # as built in\n")
    values = {
        "SYNC_LOG_FILE": str(tmp_path / "sync.log"),
        "SYNC_MAPPING_FILE": str(mapping_file),
        "SYNC_STALE_AFTER": "31",
        "SYNC_LOOKBACK_SECONDS": "0",
        "SYNC_LOOKBACK_OPEN_TRANSACTIONS": "True",
        "SYNC_BATCH_SIZE": "10000",
        "SYNC_MAX_DELETE_RATIO": "0.25",
        "SYNC_MAX_DELETE_FLOOR": "0",
        "SYNC_KEEP_DAYS": "1",
        "SYNC_LOCK_WAIT_TIMEOUT": "3600",
        "SYNC_WRITE_RETRIES": "1",
        "SYNC_DAILY": "verify",
        "SYNC_INTERVAL_MINUTES": "59",
        "SYNC_WATCH": "True",
        "SYNC_WATCH_INTERVAL": "0.5",
        "SYNC_WATCH_SCAN_FACTOR": "7.5",
        "SYNC_HEALTH_FAC_EVERY": "3600",
    }
    script = (
        "from django.conf import settings as s; print({n: str(getattr(s, n)) for n in dir(s) if n.startswith('SYNC_')})"
    )
    result = manage("shell", "-c", script, **values)
    assert result.returncode == 0, result.stderr
    assert ast.literal_eval(result.stdout.strip().splitlines()[-1]) == values


@pytest.mark.mariadb
@pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
def test_a_wrong_fac_password_gives_one_line_and_a_failed_run(fac):
    result = manage("sync_from_facturation", **subprocess_env(FAC_DB_PASSWORD=SECRET))
    assert result.returncode == 1
    # FAC answered and refused the login: not "unreachable" (nothing to look for on the network).
    assert_one_line_error(result, "FAC refused opsync's login", "Access denied", "FAC_DB_PASSWORD")

    from syncapp.models import SyncRun

    assert SyncRun.objects.get().status == SyncRun.Status.FAILED


def test_defaults_are_sqlite_with_fac_opened_read_only():
    result = manage(
        "shell", "-c", "from django.conf import settings as s; print(s.DATABASES['facturation']['NAME'], s.TIME_ZONE)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"file:{ROOT / 'facturation.sqlite3'}?mode=ro Africa/Libreville"


def test_two_modes_at_once_are_one_line_said_in_the_readers_language():
    result = manage("sync_from_facturation", "--check", "--status", LANGUAGE_CODE="en")
    assert result.returncode == 2
    said = "--status goes alone: not with --check, --verify, --watch, --force, --dry-run, --allow-mass-delete "
    assert result.stderr.splitlines() == [f"{said}or --renumber-ops-only"] and result.stdout == ""
    french = manage("sync_from_facturation", "--verify", "--watch", LANGUAGE_CODE="fr")
    assert french.returncode == 2
    assert french.stderr.replace("\xa0", " ").splitlines() == [
        "--watch s’emploie seul : pas avec --status, --check, --verify, --force, --dry-run, --allow-mass-delete "
        "ni --renumber-ops-only"
    ]


def test_a_usage_error_is_one_line_and_traceback_shows_where_it_came_from():
    plain = manage("sync_from_facturation", "--table", "clientz", LANGUAGE_CODE="en")
    assert plain.returncode == 2
    assert plain.stderr.strip().splitlines() == [
        "unknown table 'clientz' (valid tables: clients, transitaires, armateurs, representants, services)"
    ]
    traced = manage("sync_from_facturation", "--table", "clientz", "--traceback", LANGUAGE_CODE="en")
    assert traced.returncode == 1  # Python's own exit status for an exception let through
    assert "Traceback (most recent call last)" in traced.stderr
    assert traced.stderr.strip().splitlines()[-1].startswith("django.core.management.base.CommandError: unknown table")


@pytest.mark.django_db
def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.mariadb
@pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
def test_status_is_critical_when_fac_is_unreachable(fac):
    result = manage("sync_from_facturation", "--status", **subprocess_env(FAC_DB_PASSWORD=SECRET))
    assert result.returncode == 2
    assert result.stdout.startswith("OPSYNC CRITICAL - FAC refused opsync's login (Access denied")
    assert "FAC connection: FAC refused opsync's login" in result.stdout
    assert "Traceback" not in result.stderr and SECRET not in result.stdout + result.stderr


def bad_inputs(tmp_path: Path) -> list[tuple[str, dict, str]]:
    """(what, the environment that says it, the name the line must give): each was a traceback once."""
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes("[clients]\nadopt = true # é\n".encode("latin-1"))
    nested = tmp_path / "nested.toml"
    nested.write_text("x = " + "[" * 50_000 + "]" * 50_000, encoding="utf-8")
    huge = tmp_path / "huge.toml"
    huge.write_text("# " + "x" * (2 * 1024 * 1024), encoding="utf-8")
    env_file = tmp_path / "latin1.env"
    env_file.write_bytes(f"DEBUG=true\nSECRET_KEY={SECRET}\nDB_PASSWORD=été\n".encode("latin-1"))
    # A .env line django-environ would skip with an English warning, starting opsync on the default.
    no_equals, open_quote, conflict = tmp_path / "no-equals.env", tmp_path / "open-quote.env", tmp_path / "conflict.env"
    no_equals.write_text(f"SECRET_KEY={SECRET}\nDEBUG true\n", encoding="utf-8")
    open_quote.write_text(f'DEBUG=true\nDB_PASSWORD="{SECRET}\n', encoding="utf-8")
    conflict.write_text(f"DEBUG=true\n<<<<<<< HEAD\nDB_PASSWORD={SECRET}\n=======\n>>>>>>> prod\n", encoding="utf-8")
    empty = tmp_path / "empty.toml"
    empty.write_text("# emptied by mistake\n", encoding="utf-8")
    return [
        ("a .env not UTF-8", {"OPSYNC_ENV_FILE": str(env_file)}, str(env_file)),
        ("a .env line without =", {"OPSYNC_ENV_FILE": str(no_equals)}, f"{no_equals}, line 2: DEBUG is not read"),
        (
            "a .env quote left open",
            {"OPSYNC_ENV_FILE": str(open_quote)},
            f"{open_quote}, line 2: the value of DB_PASSWORD opens a quote it does not close",
        ),
        ("a .env merge conflict", {"OPSYNC_ENV_FILE": str(conflict)}, f"{conflict}, line 2: a merge-conflict marker"),
        ("an empty mapping file", {"SYNC_MAPPING_FILE": str(empty)}, f"SYNC_MAPPING_FILE {empty}: declares no table"),
        ("a mapping file not UTF-8", {"SYNC_MAPPING_FILE": str(latin1)}, f"SYNC_MAPPING_FILE {latin1}"),
        ("a mapping file nested deep", {"SYNC_MAPPING_FILE": str(nested)}, f"SYNC_MAPPING_FILE {nested}"),
        ("a huge mapping file", {"SYNC_MAPPING_FILE": str(huge)}, f"SYNC_MAPPING_FILE {huge}"),
        (
            "a mapping file that never ends",
            {"SYNC_MAPPING_FILE": "/dev/zero"},
            "SYNC_MAPPING_FILE /dev/zero: not a file",
        ),
        ("a mapping file that is a folder", {"SYNC_MAPPING_FILE": str(tmp_path)}, f"SYNC_MAPPING_FILE {tmp_path}: not"),
        ("an unknown language", {"LANGUAGE_CODE": "xx"}, "LANGUAGE_CODE"),
        ("an unknown time zone", {"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE"),
        ("a huge SYNC_STALE_AFTER", {"SYNC_STALE_AFTER": "99999999999999"}, "SYNC_STALE_AFTER"),
        ("a huge SYNC_LOOKBACK_SECONDS", {"SYNC_LOOKBACK_SECONDS": "99999999999999"}, "SYNC_LOOKBACK_SECONDS"),
        ("a huge SYNC_KEEP_DAYS", {"SYNC_KEEP_DAYS": "99999999999999"}, "SYNC_KEEP_DAYS"),
        ("a log file that is a folder", {"SYNC_LOG_FILE": str(tmp_path)}, "SYNC_LOG_FILE"),
        ("a log file that cannot be written", {"SYNC_LOG_FILE": str(huge / "sync.log")}, "SYNC_LOG_FILE"),
    ]


def test_bad_input_is_one_line_naming_it_and_status_says_unknown(tmp_path):
    for what, env, named in bad_inputs(tmp_path):
        for arguments in (["sync_from_facturation"], ["check"]):
            assert_one_line_error(manage(*arguments, **env), named)
        status = manage("sync_from_facturation", "--status", **env)
        assert status.returncode == 3, f"{what}: {status.stdout}{status.stderr}"
        assert status.stdout.startswith("OPSYNC UNKNOWN - configuration error: ") and named in status.stdout, what
        assert status.stdout.count("\n") == 1 and status.stderr == "" and "Traceback" not in status.stdout, what
        assert SECRET not in status.stdout + status.stderr
