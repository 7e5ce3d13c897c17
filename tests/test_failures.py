"""Every failure an operator can meet ends in one line and a meaningful exit status: never a traceback.

By `manage.py` in child processes, as cron and people run it: OPS down, a wrong password, an
unknown database, tables not migrated, a broken pipe, an empty --table, a configuration
error; and --status, whose exit status a monitor reads (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
"""

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connections

from syncapp.models import SyncRun, SyncState
from tests import backend
from tests.factories import ClientFactory
from tests.mirror import subprocess_env, sync

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cret-Ops-Password"
BOTH = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess) -> str:
    output = result.stdout + result.stderr
    assert "Traceback" not in output and SECRET not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


def ops_elsewhere(tmp_path: Path, **mysql: str) -> dict[str, str]:
    """Settings that point OPS at a database that is not the test one."""
    if backend.BACKEND == "mariadb":
        return {"DB_CONNECTION": "mysql", "DB_DATABASE": "opsync_test_nowhere", **mysql}
    return {"DB_CONNECTION": "sqlite", "DB_DATABASE": str(tmp_path / "empty.sqlite3")}


@pytest.mark.mariadb
@BOTH
@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"DB_PASSWORD": SECRET}, "OPS refused opsync's login (Access denied"),  # a wrong password
        ({"DB_DATABASE": "opsync_test_nowhere"}, "OPS refused opsync's login (Unknown database"),
        ({"DB_PORT": "3"}, "OPS unreachable (Can't connect"),  # nothing listens there: OPS down
    ],
    ids=["wrong-password", "unknown-database", "ops-down"],
)
def test_ops_unreachable_is_one_line_naming_the_db_variables(fac, env, said):
    for arguments, status in (
        (["sync_from_facturation"], 1),
        (["sync_from_facturation", "--status"], 3),
        (["migrate", "--noinput"], 1),
    ):
        result = manage(*arguments, **env)
        line = one_line(result)
        assert result.returncode == status, (arguments, result.stdout, result.stderr)
        assert said in line and ("DB_USERNAME" in line and "DB_PASSWORD" in line and "DB_DATABASE" in line), line
        if "--status" in arguments:
            assert line.startswith(f"OPSYNC UNKNOWN - {said}")


@BOTH
def test_a_sync_before_migrate_says_to_migrate(fac, tmp_path):
    env = ops_elsewhere(tmp_path)
    empty = f"test_{backend.PREFIX}_empty"  # this suite's own: another may share the server
    if backend.BACKEND == "mariadb":
        root = connections["default"]
        with root.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{empty}`")
        env["DB_DATABASE"] = empty
    try:
        for arguments, status in ((["sync_from_facturation"], 1), (["sync_from_facturation", "--status"], 3)):
            result = manage(*arguments, **env)
            assert result.returncode == status
            assert "OPS is not migrated: run manage.py migrate" in one_line(result)
    finally:
        if backend.BACKEND == "mariadb":
            with connections["default"].cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{empty}`")


@BOTH
def test_status_piped_into_head_ends_quietly(fac):
    ClientFactory()
    sync()
    command = f"{sys.executable} manage.py sync_from_facturation --status | head -1"
    result = subprocess.run(
        ["/bin/sh", "-c", command],
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.startswith("OPSYNC OK - ") and result.stdout.count("\n") == 1
    assert result.stderr == "", result.stderr


@BOTH
def test_an_empty_table_option_is_a_usage_error_and_runs_nothing(fac):
    for value in ("", ",", " "):
        status, output = sync("--table", value)
        assert status == 2 and "--table names no table" in output and "valid tables: clients" in output
    assert not SyncRun.objects.exists()


def test_a_configuration_error_under_status_is_unknown_for_the_monitor():
    result = manage("sync_from_facturation", "--status", SYNC_BATCH_SIZE="0")
    assert result.returncode == 3
    assert one_line(result).startswith("OPSYNC UNKNOWN - configuration error: SYNC_BATCH_SIZE must be")


@BOTH
def test_status_exits_with_each_level_the_monitor_reads(fac, settings):
    ClientFactory()
    assert sync()[0] == 0
    assert sync("--status")[0] == 0  # OK

    half = timedelta(minutes=settings.SYNC_STALE_AFTER * 0.75)
    SyncState.objects.filter(table="services").update(last_success_at=datetime.now(UTC) - half)
    status, output = sync("--status")
    assert status == 1 and output.startswith("OPSYNC WARNING - services was last synced 11 minutes ago")

    SyncState.objects.filter(table="services").update(last_success_at=datetime(2020, 1, 1, tzinfo=UTC))
    status, output = sync("--status")
    assert status == 2 and output.startswith("OPSYNC CRITICAL - “services” has not been synced")
    status, output = sync("--status", "--table", "clients")  # the tables asked for only
    assert status == 0 and output.startswith("OPSYNC OK - 1 table in step |")

    result = manage(
        "sync_from_facturation",
        "--status",
        DB_PASSWORD=SECRET,
        DB_CONNECTION="mysql",
        DB_USERNAME="nobody",
        DB_DATABASE="nowhere",
    )
    # Refused where a MariaDB answers at DB_HOST, unreachable where none does (a SQLite-only machine).
    line = one_line(result)
    assert result.returncode == 3 and re.match(r"OPSYNC UNKNOWN - OPS (unreachable|refused opsync's login) \(", line)


@BOTH
def test_health_says_ops_is_unreachable(client, fac, settings):
    ops = connections["default"]
    name = ops.settings_dict["NAME"]
    ops.close()
    ops.settings_dict["NAME"] = "opsync_test_nowhere" if backend.BACKEND == "mariadb" else "/nonexistent/ops.sqlite3"
    try:
        response = client.get("/healthz/sync")
    finally:
        ops.close()
        ops.settings_dict["NAME"] = name
    assert response.status_code == 503
    assert response.json()["ops"] == "unreachable" and response.json()["status"] == "failing"
