"""The files opsync leaves on the machine, who may read them, and the deployment files as the guide shows them.

The demo's files and the sync log hold password hashes, sessions, the databases' passwords and who
failed to log in from where: their owner's only (the demo), or opsync's user and group (production:
the units' UMask, the log's own mode, logrotate's `create`).
"""

import grp
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import IN_CI

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guide-exploitation.md"
UNITS = ("opsync.service", "opsync-watch.service")
HAVE_SYSTEMD_ANALYZE, HAVE_LOGROTATE = bool(shutil.which("systemd-analyze")), bool(shutil.which("logrotate"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def guide_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", GUIDE.read_text(), flags=re.S | re.M)


def test_the_guides_web_server_blocks_are_the_files_the_tests_run():
    """tests/test_proxies.py runs deploy/nginx-opsync.conf and deploy/apache-opsync.conf: the guide shows them whole."""
    assert guide_blocks("nginx") == [(ROOT / "deploy" / "nginx-opsync.conf").read_text()]
    assert guide_blocks("apache") == [(ROOT / "deploy" / "apache-opsync.conf").read_text()]


def checkout_copy(folder: Path) -> Path:
    """The working tree's files (tracked, and new ones not ignored), with their times: a fresh clone's state."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    return folder


def test_make_demo_leaves_its_files_to_their_owner_alone(tmp_path):
    """.env, the two SQLite databases (password hashes, sessions) and the log were readable by every local user."""
    checkout = checkout_copy(tmp_path / "opsync")
    venv = Path(sys.executable).parent.parent  # this suite's virtualenv, taken as installed (-o: never remade)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    done = subprocess.run(
        ["make", "demo", f"VENV={venv}", "-o", f"{venv}/.installed"],
        cwd=checkout, env=env, capture_output=True, text=True, timeout=300, preexec_fn=lambda: os.umask(0o022),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    made = [".env", "db.sqlite3", "facturation.sqlite3", "logs", "logs/sync-facturation.log"]
    assert {name: oct(mode(checkout / name) & 0o077) for name in made} == dict.fromkeys(made, "0o0")
    # Its first screen, in French: not Django's forty English lines of migrations, nor six paragraphs
    # of advice about an index for FAC's administrator (the demo's FAC is a SQLite file of sixty rows).
    said = done.stdout.replace("\xa0", " ")
    assert "Applying contenttypes" not in said and "Table OPS navires créée : le miroir de FAC navires." in said
    assert "n’a pas d’index" not in said and "OPSYNC OK - 6 tables à jour" in said, said


def test_the_sync_log_is_made_for_opsyncs_user_and_group_whatever_the_umask_of_who_writes_first(tmp_path):
    """cron's umask is 022: the log it made was readable by everyone. opsync makes it 0640 itself."""
    log = tmp_path / "new-server" / "logs" / "sync-facturation.log"
    code = "import django, logging; django.setup(); logging.getLogger('opsync.security').warning('x')"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "opsync.settings", "SYNC_LOG_FILE": str(log)}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, preexec_fn=lambda: os.umask(0o022))
    assert (oct(mode(log.parent)), oct(mode(log))) == ("0o750", "0o640")


def test_the_cron_lines_output_makes_the_log_for_opsyncs_user_and_group(tmp_path):
    """The crontab's line appends the command's output through a shell of cron's own umask (022)."""
    from opsync.logs import cron_output

    log = tmp_path / "new-server" / "logs" / "sync-facturation.log"
    subprocess.run(["/bin/sh", "-c", f"echo ran {cron_output(log)}"], check=True, preexec_fn=lambda: os.umask(0o022))
    assert log.read_text() == "ran\n"
    assert (oct(mode(log.parent)), oct(mode(log))) == ("0o750", "0o640")


@pytest.mark.skipif(not HAVE_SYSTEMD_ANALYZE and not IN_CI, reason="needs systemd-analyze (apt: systemd)")
@pytest.mark.parametrize("unit", UNITS)
def test_the_systemd_units_make_files_for_opsyncs_user_and_group(unit, tmp_path):
    """UMask=0027: what gunicorn and the watcher create is theirs and their group's; systemd reads the unit."""
    text = (ROOT / "deploy" / unit).read_text()
    assert re.findall(r"^UMask=(\S+)$", text, flags=re.M) == ["0027"]
    # systemd-analyze verify checks the executables exist: this suite's, where the unit says /srv/opsync.
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    (tmp_path / unit).write_text(text.replace("/srv/opsync", str(tmp_path)))
    done = subprocess.run(["systemd-analyze", "verify", str(tmp_path / unit)], capture_output=True, text=True)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


@pytest.mark.skipif(not HAVE_LOGROTATE and not IN_CI, reason="needs logrotate (apt)")
def test_logrotate_moves_the_log_away_makes_a_new_one_0640_and_opsync_writes_on_in_it(tmp_path):
    """No copytruncate, which loses what is written between its copy and its truncation: opsync reopens the log."""
    from opsync.logs import LogFile

    log = tmp_path / "logs" / "sync-facturation.log"
    log.parent.mkdir(mode=0o750)
    handler = LogFile(log, encoding="utf-8", delay=True)
    handler.emit(logging_record("before the rotation"))
    user, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    text = (ROOT / "deploy" / "logrotate-opsync").read_text()
    assert "/srv/opsync/logs/sync-facturation.log {" in text and "opsync opsync" in text
    config = text.replace("/srv/opsync/logs/sync-facturation.log", str(log)).replace("opsync opsync", f"{user} {group}")
    (tmp_path / "logrotate.conf").write_text(config)
    state = tmp_path / "logrotate.state"
    done = subprocess.run(["logrotate", "--force", "--state", str(state), str(tmp_path / "logrotate.conf")],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    handler.emit(logging_record("after the rotation"))
    handler.close()
    assert (log.parent / "sync-facturation.log.1").read_text() == "before the rotation\n"
    assert log.read_text() == "after the rotation\n"
    assert oct(mode(log)) == "0o640"


def logging_record(text: str):
    import logging

    return logging.LogRecord("opsync.sync", logging.INFO, __file__, 1, text, None, None)


def test_the_guide_never_puts_a_password_on_a_command_line():
    """`mysql -e "… @password='…'"` is seen in `ps` by every local user, and kept in the shell's history."""
    commands = [line for block in guide_blocks("sh") for line in block.splitlines()]
    assert commands
    for line in commands:
        assert not re.search(r"password\s*=\s*'(?!%s')[^']", line, flags=re.I), line  # printf's %s: from stdin
        assert not re.search(r"PASSWORD=\S", line.split("#")[0]), line
