"""Safe on the company network: throttled logins, escaped logs, verbatim variables, one run per click.

Each point of the security review, reproduced and then held: a burst of wrong passwords locks the
login, and the right one is refused until the lock ends; every failure is logged (tests/test_logins.py:
what a lock counts, and the owner's own desk).
"""

import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission, User
from django.core import mail

from syncapp.models import Client, SyncRun
from tests.factories import ClientFactory
from tests.mirror import subprocess_env, sync

ROOT = Path(__file__).resolve().parent.parent

BOTH = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
PROXY = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.10"}  # the proxy on this host, for a client


def log_in(client, password: str, **where):
    return client.post("/admin/login/?next=/admin/", {"username": "chef", "password": password}, **where)


@BOTH
def test_a_burst_of_wrong_passwords_locks_the_account_until_the_lock_ends_and_each_is_logged(client, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=3)
    User.objects.create_superuser("chef", "chef@opsync.ga", "Le-bon-mot-de-passe-2026")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "mauvais", **PROXY).status_code == 200  # the login form again, with its error
    assert log_in(client, "mauvais", **PROXY).status_code == 429  # the last one allowed locks

    locked = log_in(client, "Le-bon-mot-de-passe-2026", **PROXY)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Trop de connexions échouées\xa0: cette connexion est refusée pendant 1\xa0minute." in page
    assert "Depuis un navigateur où ce compte s’est connecté ces 90 derniers jours" in page
    # The account is locked from another address too, for a browser that never logged in as it: not at
    # its owner's desk (tests/test_logins.py), which is where the owner can still log in.
    elsewhere = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.99"}
    assert log_in(client, "Le-bon-mot-de-passe-2026", **elsewhere).status_code == 429
    log = django_settings.SYNC_LOG_FILE.read_text(encoding="utf-8")
    # Each failure, the refused right one too, with who and from where (the line's time is when).
    assert log.count('WARNING login failed: user="chef" address=192.0.2.10') == settings.AXES_FAILURE_LIMIT + 1
    assert log.count('WARNING login failed: user="chef" address=192.0.2.99') == 1

    time.sleep(3.5)
    assert log_in(client, "Le-bon-mot-de-passe-2026", **PROXY).status_code == 302  # the lock has ended


INLINE = re.compile(r"<style|\sstyle=|\son[a-z]+=|<script(?![^>]*\ssrc=)(?![^>]*application/json)")


@BOTH
def test_every_page_says_its_content_security_policy_and_holds_nothing_inline_that_it_would_refuse(client, fac):
    """No Content-Security-Policy at all: a value slipping into a page could run there. Now every page says
    script-src and style-src 'self', and none has an inline style or script for the browser to refuse."""
    ClientFactory()
    assert sync()[0] == 0
    run, row = SyncRun.objects.get(), Client.objects.get()
    anonymous = ["/admin/login/", "/nowhere/"]
    staff = [
        "/admin/",
        "/admin/syncapp/dashboard/",
        "/admin/syncapp/syncrun/",
        f"/admin/syncapp/syncrun/{run.pk}/change/",
        "/admin/syncapp/client/",
        f"/admin/syncapp/client/{row.pk}/change/",
        "/admin/syncapp/opsonlyrow/",
        "/admin/axes/accessattempt/",
    ]
    pages = [(path, client.get(path)) for path in anonymous]
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        locked = log_in(client, "mauvais", **PROXY)
    pages.append(("the locked-out page", locked))
    client.force_login(User.objects.create_superuser("chef", "chef@opsync.ga", "Le-bon-mot-de-passe-2026"))
    pages += [(path, client.get(path)) for path in staff]
    for path, page in pages:
        policy = page["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe" not in policy, path
        assert INLINE.findall(page.content.decode()) == [], path


@pytest.mark.mariadb
@BOTH
def test_a_password_beginning_with_a_dollar_is_read_as_written(fac):
    """django-environ would read `$Dollar-pw-1` as the variable `Dollar-pw-1` (and `$HOME` as /root)."""
    from tests import backend
    from tests.adopted import query, root

    user = f"{backend.PREFIX}_dollar"[:32]  # this suite's own: another suite may share the server
    session = root()
    query(session, f"DROP USER IF EXISTS '{user}'@'%%'")
    query(session, f"CREATE USER '{user}'@'%%' IDENTIFIED BY '$Dollar-pw-1'")
    query(session, f"GRANT SELECT ON `{backend.FAC_TEST_DATABASE}`.* TO '{user}'@'%%'")
    try:
        done = manage_child("--status", FAC_DB_USERNAME=user, FAC_DB_PASSWORD="$Dollar-pw-1", HOME="/root")
        assert "FAC connection: reachable" in done.stdout, done.stdout + done.stderr
        done = manage_child("--status", FAC_DB_USERNAME=user, FAC_DB_PASSWORD="$HOME", HOME="$Dollar-pw-1")
        assert "Access denied" in done.stdout  # `$HOME` is a password of its own, not the home folder's
    finally:
        query(session, f"DROP USER IF EXISTS '{user}'@'%%'")
        session.close()


def manage_child(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "sync_from_facturation", *args], cwd=ROOT,
                          env=subprocess_env(**env), capture_output=True, text=True, timeout=60)  # fmt: skip


@BOTH
def test_a_server_error_in_production_reaches_the_admins_mailbox(client, settings):
    settings.DEBUG = False
    settings.ADMINS = [("Informatique", "informatique@opsync.ga")]
    settings.ROOT_URLCONF = "tests.urls_error"
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    assert len(mail.outbox) == 1 and "informatique@opsync.ga" in mail.outbox[0].to
    assert "a bug in a view" in mail.outbox[0].body


@BOTH
def test_a_clients_own_mistake_is_answered_400_and_never_mailed(client, settings):
    """Five requests naming an unknown host sent five mails, each a full request dump, to the sync's ADMINS;
    a viewer's bad filter one per 400. Django's advice: a 400 is the client's mistake, not ours to mail."""
    settings.DEBUG = False
    settings.ADMINS = [("Informatique", "informatique@opsync.ga")]
    settings.ALLOWED_HOSTS = ["ops.example.ga"]
    client.raise_request_exception = False
    for _ in range(5):
        assert client.get("/admin/login/", HTTP_HOST="scanner.example.com").status_code == 400
    viewer = User.objects.create_user("lecteur", "lecteur@opsync.ga", "x", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename="view_syncrun"))
    client.force_login(viewer)
    for wrong in ("results__table=x", "started_at__gte=x", "e=1&q=x&status__in=x"):
        answer = client.get(f"/admin/syncapp/syncrun/?{wrong}", HTTP_HOST="ops.example.ga")
        assert answer.status_code in (200, 302, 400), (wrong, answer.status_code)  # never a 500
    assert client.get("/admin/syncapp/syncrun/?results__table=x", HTTP_HOST="ops.example.ga").status_code == 400
    assert mail.outbox == []

    settings.ROOT_URLCONF = "tests.urls_error"  # while a server error still is
    assert client.get("/broken/", HTTP_HOST="ops.example.ga").status_code == 500
    assert len(mail.outbox) == 1 and "a bug in a view" in mail.outbox[0].body


@BOTH
def test_the_health_checks_503_is_its_answer_to_the_monitor_not_a_mail(client, settings):
    """Each anonymous call of /healthz/sync while the sync is stale mailed the ADMINS a request dump."""
    settings.DEBUG = False
    settings.ADMINS = [("Informatique", "informatique@opsync.ga")]
    for _ in range(3):
        assert client.get("/healthz/sync").status_code == 503  # no run yet: stale
    assert mail.outbox == []


@pytest.mark.parametrize("key", ["abc", "abcde" * 10])  # short; long, but a pattern that repeats
def test_a_weak_secret_key_stops_production_in_one_line(key):
    env = {**subprocess_env(), "DEBUG": "false", "SECRET_KEY": key, "ALLOWED_HOSTS": "ops.example.ga"}
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "SECRET_KEY is too weak for production" in done.stderr
    assert "abc" not in done.stderr


@BOTH
def test_queued_run_accepts_only_a_run_still_queued_and_never_changes_a_finished_one(fac):
    ClientFactory()
    assert sync()[0] == 0
    finished_run = SyncRun.objects.get()
    before = SyncRun.objects.filter(pk=finished_run.pk).values().get()

    status, output = sync("--queued-run", str(finished_run.pk))

    assert status == 2 and f"run #{finished_run.pk} is not waiting to be carried out: nothing done" in output
    assert SyncRun.objects.filter(pk=finished_run.pk).values().get() == before
    assert SyncRun.objects.count() == 1


@pytest.mark.mariadb  # the first run's process is held at its first write by a row lock (InnoDB's)
@BOTH
def test_thirty_clicks_on_sync_now_start_one_run(fac, detached):
    """A click, then 29 more at once while its run is pending: one run starts, every click lands on its page."""
    from concurrent.futures import ThreadPoolExecutor

    from django.test import Client

    from tests.mirror import finished
    from tests.sessions import RowLock

    ClientFactory()
    user = User.objects.create_superuser("chef", "chef@opsync.ga", "Le-bon-mot-de-passe-2026")

    def click(_=None):
        browser = Client()
        browser.force_login(user)
        return browser.post("/admin/syncapp/dashboard/sync/")

    first = click()
    run = SyncRun.objects.get(trigger=SyncRun.Trigger.ADMIN)
    held = RowLock("syncapp_syncrun", run.pk)  # its process waits there to mark it running: still pending
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = [first, *pool.map(click, range(29))]
    finally:
        held.release()

    runs = list(SyncRun.objects.filter(trigger=SyncRun.Trigger.ADMIN))
    assert len(runs) == 1, [(r.pk, r.status) for r in runs]
    assert {answer.status_code for answer in answers} == {302}
    assert {answer["Location"] for answer in answers} == {f"/admin/syncapp/syncrun/{run.pk}/change/"}
    assert finished(run).status == SyncRun.Status.SUCCESS


@pytest.mark.mariadb
@BOTH
def test_many_health_checks_at_once_reach_fac_once(fac, live_server, settings):
    """40 calls of /healthz/sync?fac=1 from 16 threads: one FAC connection and query, counted by the server."""
    import json
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from tests import backend
    from tests.adopted import query, root

    settings.SYNC_HEALTH_FAC_EVERY = 600
    ClientFactory()
    assert sync()[0] == 0
    # The reader's own statistics, before and after: never flushed nor switched off, which would
    # take them from another suite measuring its own reader on the same server.
    statistics = "SELECT TOTAL_CONNECTIONS, SELECT_COMMANDS FROM information_schema.USER_STATISTICS WHERE USER = %s"
    observer = root()
    query(observer, "SET GLOBAL userstat = 1")
    try:
        before = query(observer, statistics, [backend.READER_USER]) or [(0, 0)]

        def call(_):
            with urllib.request.urlopen(f"{live_server.url}/healthz/sync?fac=1", timeout=30) as answer:
                return json.loads(answer.read())

        with ThreadPoolExecutor(max_workers=16) as pool:
            bodies = list(pool.map(call, range(40)))
        after = query(observer, statistics, [backend.READER_USER])
    finally:
        observer.close()

    # One connection, the first caller's check: its SELECT 1, and Django's own look at the server version.
    connections, selects = (int(a) - int(b) for a, b in zip(after[0], before[0], strict=True))
    assert connections == 1 and selects <= 2, (before, after)
    assert {body["fac"] for body in bodies} == {"reachable"}
    assert all(0 <= body["fac_check_age_seconds"] < 600 for body in bodies)
