"""What a technician gets wrong setting opsync up, each told in one line with the contract's exit status.

Found by following the guide as a newcomer would: a mapping file that names a column FAC lacks
stopped nothing (`migrate` exited 0), a wrong use of --renumber-ops-only was a failure (1) instead of
a usage error (2), a missing SQLite FAC was « FAC unreachable … check FAC_DB_HOST » without the
file's name, the admin's « Représentants » was an unknown table, and --verify said FAC's absence
once per table. The configuration files' own mistakes (a .env line without `=`, an empty mapping
file) are in tests/test_settings.py's bad_inputs, with the others of their kind.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import ClientFactory, RepresentantFactory
from tests.mirror import subprocess_env, sync

ROOT = Path(__file__).resolve().parent.parent
BOTH = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)


def manage(*arguments: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=subprocess_env(**env),
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


@BOTH
def test_migrate_with_a_mapping_file_fac_refuses_fails_and_says_why_in_one_line(fac, tmp_path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text("[clients]\n\n[archives_clients]\n", encoding="utf-8")  # FAC has no such table

    done = manage("migrate", "-v0", SYNC_MAPPING_FILE=str(mapping))

    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith(
        f"opsync: No mirror for FAC archives_clients: SYNC_MAPPING_FILE {mapping}"
    ), done.stderr
    assert lines[1] == "opsync: No mirror was created or changed; run migrate again once this is corrected."
    assert "Traceback" not in done.stdout + done.stderr


@BOTH
def test_renumbering_opsyncs_own_mirror_is_a_usage_error(fac):
    status, output = sync("--renumber-ops-only", "clients")
    assert status == 2 and "clients is opsync's own mirror: all its rows are FAC's, none to renumber" in output


@BOTH
def test_a_missing_sqlite_fac_names_its_file(fac, tmp_path):
    missing = tmp_path / "facturation.sqlite3"
    for arguments in ([], ["--verify"]):
        done = manage("sync_from_facturation", *arguments, FAC_DB_CONNECTION="sqlite", FAC_DB_DATABASE=str(missing))
        assert done.returncode == 1, done.stdout + done.stderr
        assert done.stdout == "" and len(done.stderr.splitlines()) == 1, done.stdout + done.stderr
        assert f"FAC unreachable: its SQLite file {missing} cannot be opened" in done.stderr
        assert done.stderr.rstrip().endswith("check FAC_DB_DATABASE")


@BOTH
def test_a_table_is_named_as_the_admin_writes_it(fac):
    ClientFactory()
    RepresentantFactory()
    status, output = sync("--table", "Représentants", "--table", "CLIENTS,clients")
    assert status == 0, output
    lines = [line.split()[0] for line in output.splitlines()[1:3]]
    assert sorted(lines) == ["clients", "representants"], output  # each once, by its name
    status, output = sync("--table", "représentant")
    assert status == 2 and "unknown table 'représentant'" in output
