"""Running unattended: the crontab, alerts, retention, production serving."""

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connections

from syncapp.models import AlertState, Client, SyncRun, SyncState, Watcher
from syncapp.running import runs
from syncapp.running.alerts import alerts_send
from syncapp.running.cron import scheduled_prune
from tests.factories import ClientFactory
from tests.mirror import subprocess_env, sync

ROOT = Path(__file__).resolve().parent.parent
BOTH = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
STAND_IN = """#!/bin/sh
# A stand-in for crontab(1): the table is a file.
if [ "$1" = "-l" ]; then cat "{table}" 2>/dev/null; else cp "$1" "{table}"; fi
"""


@pytest.fixture
def crontab(tmp_path, settings):
    """The user's crontab, as a file behind a stand-in `crontab` executable."""
    table = tmp_path / "crontab.txt"
    table.write_text("0 4 * * * /usr/local/bin/backup.sh # not ours\n")
    executable = tmp_path / "crontab"
    executable.write_text(STAND_IN.format(table=table))
    executable.chmod(0o755)
    settings.CRONTAB_EXECUTABLE = str(executable)
    return table


def our_lines(table: Path) -> list[str]:
    return [line for line in table.read_text().splitlines() if "not ours" not in line]


def sync_job_hash(table: Path) -> str:
    line = next(line for line in our_lines(table) if line.startswith("*/"))
    return re.search(r"crontab run (\w+)", line).group(1)


def test_crontab_add_show_remove(crontab, settings, capsys):
    call_command("crontab", "add")

    lines = our_lines(crontab)
    assert len(lines) == 3
    sync_line = next(line for line in lines if line.startswith("*/5 * * * * "))
    # Nothing before the command: django-crontab reads the job's hash as its fifth word.
    assert sync_line.startswith(f"*/5 * * * * {sys.executable} {ROOT / 'manage.py'} crontab run ")
    log = settings.SYNC_LOG_FILE
    assert sync_line.endswith(f"2>&1 | {{ umask 027; mkdir -p {log.parent} && cat >> {log}; }} # opsync {ROOT}")
    assert any(line.startswith("17 3 * * * ") for line in lines)  # pruning
    assert any(line.startswith("47 2 * * * ") for line in lines)  # the daily check (SYNC_DAILY)

    capsys.readouterr()
    call_command("crontab", "show")
    shown = capsys.readouterr().out.splitlines()[1:]
    hashes = {re.search(r"crontab run (\w+)", line).group(1) for line in lines}
    # Each job by its hash, as django-crontab means it (not the Python path it showed before).
    assert {line.split(" -> ")[0] for line in shown} == hashes
    cron = "syncapp.running.cron"
    assert all(any(f"{cron}.scheduled_{job}" in line for line in shown) for job in ("sync", "prune", "daily"))

    capsys.readouterr()
    call_command("crontab", "remove")
    removed = capsys.readouterr().out
    assert all(f"({job_hash})" in removed for job_hash in hashes)
    assert crontab.read_text() == "0 4 * * * /usr/local/bin/backup.sh # not ours\n"


def test_crontab_add_again_once_the_watcher_took_the_sync_over(crontab, settings, capsys):
    """The guide's step 7 bis: SYNC_WATCH=true, then `crontab add` again. The line already there runs a
    job the settings no longer have, and django-crontab stopped on it with a traceback."""
    call_command("crontab", "add")
    sync_hash = sync_job_hash(crontab)
    settings.CRONJOBS = [("*/5 * * * *", "syncapp.running.cron.scheduled_alerts"), *settings.CRONJOBS[1:]]

    capsys.readouterr()
    call_command("crontab", "show")
    assert f"{sync_hash} -> a job the settings no longer have" in capsys.readouterr().out
    call_command("crontab", "add")

    lines = our_lines(crontab)
    assert len(lines) == 3 and sync_hash not in crontab.read_text()
    capsys.readouterr()
    call_command("crontab", "show")
    assert "syncapp.running.cron.scheduled_alerts" in capsys.readouterr().out
    call_command("crontab", "remove")
    assert crontab.read_text() == "0 4 * * * /usr/local/bin/backup.sh # not ours\n"


def test_the_interval_is_a_setting():
    env = subprocess_env(SYNC_INTERVAL_MINUTES="10")
    code = "from django.conf import settings; print(settings.CRONJOBS[0][0])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip().splitlines()[-1] == "*/10 * * * *", result.stderr


def test_with_a_watcher_cron_sends_the_alerts_and_keeps_the_daily_jobs_but_leaves_the_sync_to_it():
    code = "from django.conf import settings; print([job for _, job in settings.CRONJOBS])"
    jobs = {}
    for watch in ("false", "true"):
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=subprocess_env(SYNC_WATCH=watch),
            capture_output=True,
            text=True,
        )
        jobs[watch] = result.stdout.strip().splitlines()[-1]
    assert "syncapp.running.cron.scheduled_sync" in jobs["false"] and "scheduled_alerts" not in jobs["false"]
    assert "cron.scheduled_sync" not in jobs["true"] and "syncapp.running.cron.scheduled_alerts" in jobs["true"]
    assert all("scheduled_daily" in listed and "scheduled_prune" in listed for listed in jobs.values())


@BOTH
def test_a_scheduled_job_runs_as_cron_runs_it(crontab, fac, settings, tmp_path):
    ClientFactory.create_batch(2)
    # As on a new server: the log's folder does not exist yet (opsync/settings.py builds these two).
    log = tmp_path / "new-server" / "logs" / "sync-facturation.log"
    settings.CRONTAB_COMMAND_PREFIX = f"mkdir -p {log.parent} &&"
    settings.CRONTAB_COMMAND_SUFFIX = f">> {log} 2>&1"
    call_command("crontab", "add")
    line = next(line for line in our_lines(crontab) if line.startswith("*/5"))
    command = line.split(" ", 5)[5].rsplit(" # ", 1)[0]

    subprocess.run(["/bin/sh", "-c", command], cwd="/", env=subprocess_env(SYNC_LOG_FILE=str(log)), check=True)

    run = SyncRun.objects.get()
    assert (run.trigger, run.status, run.inserted) == ("cron", "success", 2)
    assert f"run #{run.pk} success" in log.read_text()
    assert Client.objects.count() == 2


@BOTH
def test_a_failing_scheduled_run_is_recorded_logged_and_mailed_once(crontab, fac, settings, monkeypatch):
    settings.ADMINS = [("Exploitation", "exploitation@example.ga")]
    ClientFactory()
    call_command("crontab", "add")
    job = sync_job_hash(crontab)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(runs, "table_sync", broken)
    call_command("crontab", "run", job)  # django-crontab swallows the exception…
    call_command("crontab", "run", job)

    failed = SyncRun.objects.filter(status=SyncRun.Status.FAILED, trigger="cron")
    assert failed.count() == 2  # …but each run says it failed
    assert "interrupted: RuntimeError: disk full" in failed.first().error
    assert "scheduled run failed" in settings.SYNC_LOG_FILE.read_text()
    assert len(mail.outbox) == 1  # once per change of state, not once per run
    assert mail.outbox[0].to == ["exploitation@example.ga"]
    assert "disk full" in mail.outbox[0].body and "/admin/syncapp/dashboard/" in mail.outbox[0].body

    monkeypatch.undo()
    call_command("crontab", "run", job)

    assert SyncRun.objects.latest("started_at").status == SyncRun.Status.SUCCESS
    assert len(mail.outbox) == 2 and "tout est revenu en ordre" in mail.outbox[1].subject  # in LANGUAGE_CODE, fr
    assert AlertState.objects.get().problems == []


@pytest.mark.mariadb
@BOTH
def test_fac_unreachable_under_cron_reaches_history_and_outbox(crontab, fac, settings):
    settings.ADMINS = [("Exploitation", "exploitation@example.ga")]
    call_command("crontab", "add")
    reader = connections["facturation"]
    reader.close()
    password = reader.settings_dict["PASSWORD"]
    reader.settings_dict["PASSWORD"] = "wrong-password"
    try:
        call_command("crontab", "run", sync_job_hash(crontab))
    finally:
        reader.close()
        reader.settings_dict["PASSWORD"] = password

    run = SyncRun.objects.get()
    # FAC answered and refused the password: said as a refusal, not as "unreachable".
    assert run.status == SyncRun.Status.FAILED and "FAC refused opsync's login" in run.error
    assert len(mail.outbox) == 1 and "FAC refuse la connexion" in mail.outbox[0].body  # in LANGUAGE_CODE, fr
    assert "wrong-password" not in mail.outbox[0].body


@BOTH
def test_a_stale_table_is_mailed_once_and_its_recovery_too(fac, settings):
    settings.ADMINS = [("Exploitation", "exploitation@example.ga")]
    sync()
    assert alerts_send() is None and mail.outbox == []

    SyncState.objects.filter(table="services").update(last_success_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert alerts_send() == "alert"
    assert alerts_send() is None
    assert (
        "la table «\xa0services\xa0» n’est plus synchronisée depuis plus de 15 minutes" in mail.outbox[0].body
    )  # in French

    sync()
    assert alerts_send() == "recovery"
    assert len(mail.outbox) == 2


@BOTH
def test_old_runs_are_pruned_but_not_those_still_in_use(fac, settings):
    ClientFactory()
    for _ in range(35):
        sync("--table", "services")
    sync("--table", "clients")
    old = datetime.now(UTC) - timedelta(days=settings.SYNC_KEEP_DAYS + 1)
    for age, run in enumerate(SyncRun.objects.order_by("-pk")):  # 36 runs, a minute apart, all too old
        SyncRun.objects.filter(pk=run.pk).update(started_at=old - timedelta(minutes=age))
    first_services_run = SyncRun.objects.order_by("pk").first()
    SyncRun.objects.filter(pk=first_services_run.pk).update(status=SyncRun.Status.FAILED)  # a listed failure
    fresh = SyncRun.objects.create(status=SyncRun.Status.SUCCESS, finished_at=datetime.now(UTC))
    Watcher.objects.create(interval_seconds=2, beat_at=old)  # a watcher not heard from since
    live_watcher = Watcher.objects.create(interval_seconds=2)

    scheduled_prune()

    kept = set(SyncRun.objects.values_list("pk", flat=True))
    clients_run = SyncRun.objects.filter(results__table="clients").get()  # the latest run of its table
    assert {fresh.pk, clients_run.pk, first_services_run.pk} <= kept
    # fresh + the 29 newest old runs (the chart's 30) + the failure the dashboard lists.
    assert len(kept) == 31
    assert "pruned 6 run records" in settings.SYNC_LOG_FILE.read_text()
    assert list(Watcher.objects.values_list("pk", flat=True)) == [live_watcher.pk]


def production_env(tmp_path, **extra) -> dict[str, str]:
    return subprocess_env(
        DEBUG="false",
        SECRET_KEY="k" * 20 + "-production-secret-for-the-test-0123456789abcdef",
        ALLOWED_HOSTS="ops.example.ga,127.0.0.1",
        STATIC_ROOT=str(tmp_path / "static"),
        **extra,
    )


def test_check_deploy_has_nothing_left_to_fix(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
    )
    warnings = set(re.findall(r"\(security\.(W\d+)\)", result.stdout + result.stderr))
    # W005/W021 (HSTS for subdomains, preload) are the domain owner's choice, documented in
    # docs/guide-exploitation.md (production, step 5).
    assert warnings <= {"W005", "W021"}, result.stdout + result.stderr


@BOTH
def test_gunicorn_serves_static_files_and_health(tmp_path, fac):
    env = production_env(tmp_path)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "opsync.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        css = fetch(f"{base}/static/admin/css/base.css", {"X-Forwarded-Proto": "https"})
        assert css.status == 200 and b"body" in css.read()
        assert fetch(f"{base}/healthz/sync").status == 503  # no run yet: stale, over plain HTTP
        redirect = fetch(f"{base}/admin/login/")
        assert redirect.status == 301 and redirect.headers["Location"].startswith("https://")
    finally:
        server.terminate()
        server.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, headers: dict | None = None, attempts: int = 50):
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Host": "ops.example.ga", **(headers or {})})
    for _ in range(attempts):
        try:
            return opener.open(request, timeout=5)
        except urllib.error.HTTPError as response:
            return response
        except urllib.error.URLError:
            time.sleep(0.2)  # gunicorn still starting
    raise AssertionError(f"no answer from {url}")
