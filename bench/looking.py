"""What looking costs FAC (`--only looking`): the rows and statements of the FAC reader, by MariaDB's
per-user statistics (`SET GLOBAL userstat = 1`, then information_schema.USER_STATISTICS for the
reader alone, so that other work on a shared server does not count), for each way of looking at the
sync: `--status`, a dashboard view, `/healthz/sync?fac=1`, and an incremental run with nothing to do,
beside FAC's own aggregate pass over the tables (the floor of any run that must look at FAC).
"""

import tempfile
from dataclasses import dataclass

import MySQLdb

from bench import queries
from bench.measure import fac_aggregate_pass, prepare
from bench.servers import execute, opsync, reader_counters, run_manage

# A page read as a signed-in administrator would, in a process of its own (as gunicorn serves it).
PAGE = """
import sys
import django
django.setup()
from django.contrib.auth.models import User
from django.test import Client
user, _ = User.objects.get_or_create(username="bench-looking", defaults={"is_staff": True, "is_superuser": True})
client = Client()
client.force_login(user)
response = client.get(sys.argv[1], HTTP_HOST="localhost", secure=True)
print(response.status_code)
"""
LOOKS = ("--status", "a dashboard view", "/healthz/sync?fac=1", "an incremental run, nothing changed")


@dataclass
class Cost:
    what: str
    rows_read: int
    selects: int
    others: int  # SET, SHOW…: statements that are not SELECTs

    @property
    def statements(self) -> int:
        return self.selects + self.others


def page(url: str, env: dict[str, str]) -> None:
    done = run_manage(["shell", "-c", PAGE.replace("sys.argv[1]", repr(url))], env)
    if done.returncode != 0 or done.output.strip().splitlines()[-1] not in ("200", "503"):
        raise RuntimeError(f"{url}: {done.output[-2000:]}")


def look(root: MySQLdb.Connection, what: str, env: dict[str, str]) -> Cost:
    before = reader_counters(root)
    if what == "--status":
        run_manage(["sync_from_facturation", "--status"], env)
    elif what == "a dashboard view":
        page("/admin/syncapp/dashboard/", env)
    elif what == "/healthz/sync?fac=1":
        page("/healthz/sync?fac=1", env)
    elif what == "FAC's aggregate pass":
        fac_aggregate_pass()
    else:
        opsync(["sync_from_facturation"], env, "an incremental run, nothing changed")
    after = reader_counters(root)
    return Cost(what, *(b - a for a, b in zip(before, after, strict=True)))


def measure_looking(root: MySQLdb.Connection, rows: int, reader_password: str, env: dict[str, str]) -> list[Cost]:
    """FAC at --rows and a first copy, then each look, measured alone."""
    env = {**env, "STATIC_ROOT": tempfile.mkdtemp(prefix="opsync-bench-static-")}  # pages need their files
    prepare(root, rows, reader_password, env)
    opsync(["collectstatic", "--noinput"], env, "the admin's static files")
    opsync(["sync_from_facturation", "--force"], env, "a. full sync into empty OPS")
    execute(root, "SET GLOBAL userstat = 1")
    costs = [look(root, what, env) for what in (*LOOKS, "FAC's aggregate pass")]
    for cost in costs:
        print(f"  {cost.what}: {cost.rows_read} FAC rows read, {cost.selects} SELECTs, {cost.others} other", flush=True)
    return costs


def looking_rows(costs: list[Cost], rows: int) -> list[tuple[str, str, str]]:
    """(what, rows read, statements) for the report, with the table count."""
    tables = len(queries.FAC_ROWS)
    return [
        (f"{cost.what} ({tables} tables of {rows} rows)", f"{cost.rows_read}", f"{cost.selects} + {cost.others}")
        for cost in costs
    ]
