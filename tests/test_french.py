"""French from end to end, with LANGUAGE_CODE=fr: what the command prints, what the admin shows.

The test walks the outputs and the pages and looks for English: words that are English and
not French, outside what is not prose (option names, variables, table and column names, ids,
and the values of the rows themselves).
"""

import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connections
from django.urls import reverse

from syncapp.engine.lock import SyncLock
from syncapp.models import SyncRun
from tests.fac import ROOT
from tests.factories import ClientFactory, fac_now
from tests.french import agreement_errors, english_words, typography_errors
from tests.mirror import sync

BOTH = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)


class Text(HTMLParser):
    """A page's readable text: no scripts, styles, hidden SVG symbols, nor attribute values."""

    def __init__(self):
        super().__init__()
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg", "symbol", "textarea"):
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg", "symbol", "textarea") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def page_text(response) -> str:
    parser = Text()
    parser.feed(response.content.decode())
    return " ".join(parser.parts)


@pytest.fixture
def french(settings):
    settings.LANGUAGE_CODE = "fr"


@BOTH
def test_the_command_speaks_french(fac, french):
    ClientFactory.create_batch(2)
    outputs = [sync("-v", language="fr")[1]]
    ClientFactory(updated_at=fac_now())
    outputs += [
        sync(*args, language="fr")[1]
        for args in (
            ["--dry-run", "-v"],
            ["--status"],
            ["--verify", "-v"],
            ["--check"],
            ["--table", "factures"],
            ["--force"],
        )
    ]
    lock = SyncLock()
    assert lock.acquire()
    try:
        outputs.append(sync(language="fr")[1])  # skipped: the lock message
    finally:
        lock.release()

    assert re.search(r"Exécution n°\xa0\d+ réussie en", outputs[0]) and "insertion" in outputs[0]
    assert outputs[2].startswith("OPSYNC OK - 5 tables à jour |") and "Connexion à FAC\xa0: joignable" in outputs[2]
    assert "OPS diffère de FAC\xa0: clients (1)\xa0; une exécution complète la corrige" in outputs[3]
    assert "table inconnue «\xa0factures\xa0»" in outputs[5]
    assert outputs[7].startswith("Non lancée\xa0: un processus sans exécution enregistrée tient le verrou")
    for output in outputs:
        assert english_words(output) == [], output
        assert agreement_errors(output) == [], output
        assert typography_errors(output) == [], output


@BOTH
def test_the_mails_read_french(fac, french, settings):
    """What the ADMINS receive: an alert, its recovery, the daily check's report of what it repaired."""
    from datetime import UTC, datetime, timedelta

    from django.core import mail

    from syncapp.models import Client, SyncState
    from syncapp.running.alerts import alerts_send
    from syncapp.running.cron import scheduled_daily

    settings.ADMINS = [("Exploitation", "exploitation@example.ga")]
    edited, _kept = ClientFactory.create_batch(2, updated_at=fac_now() - timedelta(hours=2))
    assert sync()[0] == 0
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    SyncState.objects.filter(table__in=["services", "armateurs"]).update(last_success_at=long_ago)
    assert alerts_send() == "alert"
    assert sync()[0] == 0 and alerts_send() == "recovery"
    Client.objects.filter(pk=edited["id"]).update(email="faux@exemple.ga")  # OPS edited by hand
    scheduled_daily()  # repairs it, and says so

    assert len(mail.outbox) == 3, [m.subject for m in mail.outbox]
    assert "les tables «\xa0armateurs\xa0», «\xa0services\xa0» ne sont plus synchronisées" in mail.outbox[0].body
    assert f"n°\xa0{edited['id']} (email)" in mail.outbox[2].body
    for sent in mail.outbox:
        text = f"{sent.subject}\n{sent.body}".replace("exploitation@example.ga", "")
        assert english_words(text) == [], text
        assert agreement_errors(text) == [], text
        assert typography_errors(text) == [], text


@pytest.mark.mariadb
@BOTH
def test_the_watchers_lines_read_french(fac, french):
    """What a watcher prints as it starts, copies a change (and says how long it took), rests after a scan of
    a table FAC does not index, and stops: the lines journald keeps."""
    import signal

    from syncapp.models import Client
    from tests.sessions import poll, start_child

    ClientFactory.create_batch(2)
    child = start_child("--watch", SYNC_WATCH_INTERVAL="0.2", LANGUAGE_CODE="fr")
    try:
        poll(lambda: SyncRun.objects.filter(trigger="watch").exclude(status="running").exists(), "the first run")
        new = ClientFactory(nom="Nouveau client", updated_at=fac_now())
        poll(lambda: Client.objects.filter(pk=new["id"]).exists(), "the insert to reach OPS")
    finally:
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=60)
    printed = out + err
    assert child.returncode == 0, printed
    assert "Surveillance de FAC toutes les 0,2\xa0s" in printed and "Surveillance arrêtée." in printed, printed
    assert english_words(printed) == [], printed
    assert agreement_errors(printed) == [], printed
    assert typography_errors(printed) == [], printed


@pytest.mark.mariadb
@BOTH
def test_a_fac_unreachable_run_and_the_lock_read_french_in_the_admin(client, fac, french):
    ClientFactory()
    reader = connections["facturation"]
    reader.close()
    password = reader.settings_dict["PASSWORD"]
    reader.settings_dict["PASSWORD"] = "wrong-password"
    try:
        assert sync(language="fr")[0] == 1
    finally:
        reader.close()
        reader.settings_dict["PASSWORD"] = password
    failed = SyncRun.objects.latest("started_at")
    holder = SyncRun.objects.create(status=SyncRun.Status.RUNNING, host="cron-1", pid=4242)
    client.force_login(User.objects.create_superuser("chef", "chef@example.ga", "x"))
    lock = SyncLock()
    assert lock.acquire()
    try:
        dashboard = page_text(client.get("/admin/syncapp/dashboard/"))
    finally:
        lock.release()
    run_page = page_text(client.get(reverse("admin:syncapp_syncrun_change", args=[failed.pk])))

    assert (
        "FAC refuse la connexion d’opsync (accès refusé\xa0: identifiant ou mot de passe erroné)\xa0; "
        "vérifiez FAC_DB_USERNAME" in run_page
    )
    assert f"l’exécution n°\xa0{holder.pk} (machine cron-1, processus 4242, lancée le" in dashboard
    # The cause said once, in the run's summary: not again under each of the five tables it failed.
    assert run_page.count("FAC refuse la connexion") == 1, run_page
    for text in (dashboard, run_page):
        assert english_words(text) == [], re.sub(r"\s+", " ", text)
        assert agreement_errors(text) == [], re.sub(r"\s+", " ", text)
        assert typography_errors(text) == [], re.sub(r"\s+", " ", text)


@BOTH
def test_permissions_and_error_pages_read_french(client, fac, french):
    admin = User.objects.create_superuser("chef", "chef@example.ga", "x")
    agent = User.objects.create_user("agent", password="x", is_staff=True)
    agent.user_permissions.add(Permission.objects.get(codename="view_syncrun"))
    client.force_login(admin)
    permissions = client.get(reverse("admin:auth_user_change", args=[agent.pk])).content.decode()
    labels = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', permissions)
    ours = [label for label in labels if "synchronisation" in label.lower() or "Tables OPS" in label]
    assert (
        "Synchronisation FAC | exécution de la synchronisation | Peut lancer une synchronisation depuis le "
        "tableau de bord" in ours
    )
    assert (
        "Synchronisation FAC | exécution de la synchronisation | Peut voir\xa0: exécution de la synchronisation" in ours
    )
    for label in ours:
        assert english_words(label) == [], label

    client.force_login(agent)
    forbidden = client.post(reverse("admin:syncapp_dashboard_sync"))
    not_allowed = client.get(reverse("admin:syncapp_dashboard_sync"))
    assert (forbidden.status_code, not_allowed.status_code) == (403, 405)
    for response in (forbidden, not_allowed, client.get("/nulle-part/")):
        text = page_text(response)
        assert text.strip() and english_words(text) == [], text


def test_sentences_are_assembled_as_french_writes_them(french):
    """What code puts together around translated words: a change and its columns in French word
    order whatever the column's gender (not « différente ville »), problems apart with a
    non-breaking space before the semicolon, a number as « n° 7 » (not « #7 »)."""
    from django.utils import translation

    from syncapp.common.messages import message
    from syncapp.status.run_text import ShownChange
    from syncapp.web.admin_runs import run_kind

    with translation.override("fr"):
        differs = ShownChange.of({"id": 7, "action": "differs", "columns": ["ville"]})
        updated = ShownChange.of({"id": 8, "action": "update", "columns": ["nom", "email"]})
        run = SyncRun(problems=[message("ops_not_migrated"), message("locked_unrecorded")])
        assert (differs.number, differs.text) == ("n°\xa07", "diffère dans la colonne ville")
        assert updated.text == "mise à jour des colonnes nom, email"
        assert run.problem_text == (
            "la base OPS n’est pas à jour\xa0: lancez manage.py migrate\xa0; "
            "un processus sans exécution enregistrée tient le verrou"
        )
        assert typography_errors(f"{run} {differs.number} {run.problem_text}") == []
        # A run's kind and who started it: no masculine trigger beside a feminine kind (« vérification · manuel »).
        assert run_kind(SyncRun(mode="verify", trigger="manual")) == "vérification, à la main"
        assert run_kind(SyncRun(dry_run=True, trigger="admin")) == "simulation, depuis l’admin"
        # The watcher's figures rounded, written the French way (it printed `0,01609010600009242 s`).
        from syncapp.common.messages import render
        from syncapp.running.watch import rounded_seconds

        seconds = message("seconds", n=rounded_seconds(0.016090106))
        scan = message(
            "no_cursor_index", table="clients", column="updated_at", count=60, seconds=seconds,
            statement="CREATE INDEX …",
        )  # fmt: skip
        said = render(
            message("watch_scan_rest", table="clients", scan=scan, rest=rounded_seconds(0.048270318), percent=20)
        )
        assert "dernier parcours en 0,02\xa0s" in said and "attendent désormais 0,05\xa0s après" in said, said
        assert rounded_seconds(0.004) == 0.01 and rounded_seconds(0) == 0  # never « 0,0 s » for time spent
        # What a dry run would do, in the conditional; what a verification found, as the command says it.
        from syncapp.status.run_text import totals

        dry = totals(SyncRun(dry_run=True, inserted=1, updated=2))
        assert dry.startswith("1\xa0serait insérée, 2\xa0seraient mises à jour, 0\xa0serait supprimée"), dry
        assert totals(SyncRun(mode="verify", unchanged=60, errors=0)) == "60\xa0lignes identiques, 0\xa0différente"
        # Tables that failed alike: one cause, with the tables it touched.
        from syncapp.engine.outcome import SyncOptions, TableOutcome
        from syncapp.running.runs import run_problems

        lock = message("lock_wait", attempts=3)
        failed = [TableOutcome("clients", problem=lock), TableOutcome("transitaires", problem=lock)]
        (problem,) = run_problems([*failed, TableOutcome("services")], SyncOptions(tables=("clients",)))
        assert render(problem).startswith("clients, transitaires\xa0: une autre session d’OPS"), render(problem)
        # The apostrophe Django's own French uses, on the same login page: ’, not '.
        assert translation.gettext("opsync administration") == "Administration d’opsync"


@pytest.mark.parametrize("command", ["sync_from_facturation", "build_demo_facturation"])
def test_help_is_french_from_usage_to_django_s_own_options(command):
    """`--help` with LANGUAGE_CODE=fr: argparse's `usage:`, `options:` and `show this help message and
    exit`, and Django's `Verbosity level; 0=minimal output…`, were English."""
    from tests.mirror import subprocess_env

    done = subprocess.run(
        [sys.executable, "manage.py", command, "--help"],
        cwd=ROOT, env=subprocess_env(LANGUAGE_CODE="fr"), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    said = done.stdout
    assert said.startswith("utilisation\xa0: manage.py") and "\noptions\xa0:\n" in said, said
    assert "affiche cette aide et s’arrête" in said and "le module de réglages à utiliser" in said
    for english in ("usage:", "show this help", "Verbosity level", "Display a full stack trace", "Random seed"):
        assert english not in said, english
    assert english_words(said) == [], said
