"""Every surface a newcomer meets on the command line, as they meet it: in a terminal and piped.

Each management command's help (`manage.py X --help` and `manage.py help X`), then every option
of sync_from_facturation, in French and in English, in a real terminal (script(1) gives it a pty)
and piped to `head -1` under `pipefail`, as a monitor runs it: no traceback, the contract's exit
status whoever closes the pipe, no English left in French, and every count agreeing with its
words, at 0, 1 and 2. Then every plural text opsync has, said at 0, 1 and 2.
"""

import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.functional import Promise

from syncapp.common.messages import TEXTS, render
from syncapp.status.run_text import COUNTED, counted
from tests.factories import ClientFactory, TransitaireFactory, fac_now
from tests.french import agreement_errors, english_words
from tests.mirror import subprocess_env, sync

ROOT = Path(__file__).resolve().parent.parent
BOTH = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)


def shell(command: str, *, tty: bool, language: str) -> subprocess.CompletedProcess:
    """`command` as bash runs it, with pipefail; in a pseudo-terminal when `tty`."""
    line = f"set -o pipefail; {command}"
    argv = ["script", "-qec", f"bash -c {shlex.quote(line)}", "/dev/null"] if tty else ["bash", "-c", line]
    env = subprocess_env(LANGUAGE_CODE=language)
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def manage(arguments: str) -> str:
    return f"{shlex.quote(sys.executable)} manage.py {arguments}"


def commands() -> list[str]:
    done = subprocess.run([sys.executable, "manage.py", "help", "--commands"], cwd=ROOT, env=subprocess_env(),
                          capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    return [name for name in done.stdout.split() if name.isidentifier()]


def in_parallel(calls):
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda call: call(), calls))


def read_as_french(output: str, where: str) -> None:
    assert "Traceback" not in output, where
    assert english_words(output) == [], f"{where}: {output}"
    assert agreement_errors(output) == [], f"{where}: {output}"


@pytest.mark.mariadb  # one run is enough: it reads no database (the SQLite pass skips it)
@BOTH
def test_every_commands_help_in_both_forms_both_languages_in_a_terminal_and_piped(fac):
    names = commands()
    assert "sync_from_facturation" in names and "build_demo_facturation" in names
    cases = [
        (form % name, language, tty)
        for name in names
        for form in ("%s --help", "help %s")
        for language, tty in (("fr", False), ("fr", True), ("en", False))
    ]
    results = in_parallel(
        [lambda c=case: (c, shell(manage(c[0]) + (" | head -1" if not c[2] else ""), tty=c[2], language=c[1]))
         for case in cases]
    )  # fmt: skip
    for (arguments, language, tty), done in results:
        where = f"{arguments} ({language}, {'terminal' if tty else 'piped'})"
        assert done.returncode == 0, f"{where}: {done.stdout}{done.stderr}"
        assert "Traceback" not in done.stdout + done.stderr, where
        assert done.stdout.strip(), where


# Every option of the command, with the exit status the contract gives it on a fresh OPS.
OPTIONS = [
    ("", 0),
    ("--table clients", 0),
    ("--table clients,services --force", 0),
    ("--dry-run -v", 0),
    ("-v 3", 0),
    ("--verify -v 2", 0),
    ("--check", 0),
    ("--status", 0),
    ("--allow-mass-delete --table armateurs", 0),
    ("--trigger cron --table services", 0),
    ("--renumber-ops-only clients --dry-run", 2),  # clients is opsync's own mirror: a wrong use, one line
    ("--table factures", 2),
    ("--table ''", 2),
    ("--status --force", 2),
    ("--watch --verify", 2),
]


@pytest.mark.mariadb
@BOTH
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_option_in_a_terminal_and_piped_keeps_its_exit_status_and_its_language(fac, language):
    ClientFactory.create_batch(2)
    TransitaireFactory()
    assert sync()[0] == 0
    for arguments, expected in OPTIONS:
        in_terminal = shell(manage(f"sync_from_facturation {arguments}"), tty=True, language=language)
        piped = shell(manage(f"sync_from_facturation {arguments}") + " | head -1", tty=False, language=language)
        for done, how in ((in_terminal, "terminal"), (piped, "piped")):
            where = f"sync_from_facturation {arguments} ({language}, {how})"
            assert done.returncode == expected, f"{where}: {done.stdout}{done.stderr}"
            output = done.stdout + done.stderr
            if language == "fr":
                read_as_french(output, where)
            assert "Traceback" not in output, where
        assert len(piped.stdout.splitlines()) <= 1


@BOTH
def test_counts_of_zero_one_and_two_agree_in_the_commands_french(fac):
    """Runs that insert, update, delete and restore 1 row, then 2: their lines in French."""
    outputs = []
    first = ClientFactory(updated_at=fac_now())
    outputs.append(sync("-v", language="fr")[1])  # 1 inserted, 0 of the others
    second, third = ClientFactory.create_batch(2, updated_at=fac_now())
    outputs.append(sync("--dry-run", "-v", language="fr")[1])  # 2 would be inserted
    outputs.append(sync("-v", language="fr")[1])  # 2 inserted
    now = fac_now()
    fac.update("clients", first["id"], nom="Renommée", deleted_at=now, updated_at=now)
    outputs.append(sync("-v", language="fr")[1])  # 1 deleted
    later = fac_now()
    fac.update("clients", first["id"], deleted_at=None, updated_at=later)
    for row in (second, third):
        fac.update("clients", row["id"], nom=f"{row['nom']} bis", updated_at=later)
    outputs.append(sync("-v", language="fr")[1])  # 1 restored, 2 updated
    for args in (["--verify", "-v"], ["--status"], ["--force"]):
        outputs.append(sync(*args, language="fr")[1])
    for output in outputs:
        read_as_french(output, output.splitlines()[-1] if output else "")
    said = "\n".join(outputs)
    expected = ["1 insérée", "2 insérées", "0 mise à jour", "2 mises à jour", "1 supprimée", "1 restaurée"]
    expected += ["0 erreur", "rien d’écrit", "3 lignes identiques"]
    for phrase in expected:
        assert phrase.replace("\u00a0", " ") in said.replace("\u00a0", " "), phrase


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_plural_text_agrees_at_zero_one_and_two(language):
    """Each message with a count (syncapp/common/messages.py) and each counted phrase (syncapp/status/run_text.py)."""
    params = {"table": "clients", "tables": ["clients"], "run": 7, "since": "-", "reason": "x", "ratio": "10%",
              "percent": 10, "needed": 255, "live": 9, "interval": 2, "column": "updated_at", "seconds": "5,1 s",
              "statement": "CREATE INDEX `clients_updated_at_index` ON `clients` (`updated_at`);",
              "limit": {"code": "minutes", "params": {"count": 15}}}  # fmt: skip
    with translation.override(language):
        for code, text in TEXTS.items():
            if not isinstance(text, Promise):
                continue
            for count in (0, 1, 2):
                minutes = {"code": "minutes", "params": {"count": count}} if code in ("stale", "plain_stale") else count
                values = {**params, "count": count, "minutes": minutes, "attempts": count, "deleted": count}
                said = render({"code": code, "params": values})
                assert "{" not in said, (code, said)
                if language == "fr":
                    assert agreement_errors(said) == [], (code, said)
                else:
                    assert (" 1 " + "rows") not in said and "1 minutes" not in said, (code, said)
        for what in COUNTED:
            for count in (0, 1, 2):
                said = counted(what, count)
                assert said.startswith(str(count))
                if language == "fr":
                    assert agreement_errors(said) == [], (what, said)
