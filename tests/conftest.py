import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test.utils import setup_databases, teardown_databases
from hypothesis.configuration import set_hypothesis_home_dir

from tests import backend
from tests.browser import browser, screenshots  # noqa: F401 (the suite's fixtures)
from tests.fac import FacWriter, create_mariadb_fac, drop_mariadb_fac
from tests.factories import FacRowFactory

ON_MARIADB = backend.BACKEND == "mariadb"
ROOT = Path(__file__).resolve().parent.parent

# Hypothesis keeps its examples and caches beside the other scratch files, not in the working tree.
set_hypothesis_home_dir(settings.SCRATCH_DIR / "hypothesis")


TREE = pytest.StashKey[set[str]]()


def working_tree_files() -> set[str]:
    """Every file git sees in the working tree, ignored ones too (bytecode and tool caches aside), and every
    folder at its top: git lists no empty folder, such as a logs/ that settings made for a log never written."""
    listed = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    skipped = ("__pycache__/", ".venv/", ".ruff_cache/", ".mypy_cache/", ".pytest_cache/")
    files = {line[3:] for line in listed.splitlines() if not any(part in line for part in skipped)}
    return files | {f"{path.name}/" for path in ROOT.iterdir() if path.is_dir() and f"{path.name}/" not in skipped}


def pytest_sessionstart(session):
    session.config.stash[TREE] = working_tree_files()


def pytest_sessionfinish(session, exitstatus):
    """No test writes into the working tree: a new file there fails the run, naming it."""
    added = working_tree_files() - session.config.stash.get(TREE, set())
    if added:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line(f"opsync: the tests wrote into the working tree: {', '.join(sorted(added))}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_report_header(config):
    if ON_MARIADB:
        return f"opsync tests on MariaDB {backend.MYSQL['host']}:{backend.MYSQL['port']}"
    return f"opsync tests on SQLite: {backend.SQLITE_REASON}"


def pytest_collection_modifyitems(config, items):
    if ON_MARIADB:
        return
    skip = pytest.mark.skip(reason=f"needs MariaDB: {backend.SQLITE_REASON}")
    for item in items:
        if "mariadb" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "needs MariaDB" in str(r.longrepr)]
    if skipped:
        terminalreporter.write_line(
            f"opsync: ran on SQLite; skipped {len(skipped)} MariaDB-only tests because {backend.SQLITE_REASON}"
        )


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """OPS test database through Django; FAC test database built as the billing app has it.

    Django's test runner must not create `facturation`: it is a source, not ours.
    """
    with django_db_blocker.unblock():
        if ON_MARIADB:
            create_mariadb_fac()
        else:
            writer = FacWriter()
            writer.create_sqlite_schema()
            writer.close()
        # Django asks `alias in aliases` of any collection; the stubs want a Mapping.
        old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})  # type: ignore[arg-type]
    yield
    with django_db_blocker.unblock():
        teardown_databases(old_config, verbosity=0)
        if ON_MARIADB:
            drop_mariadb_fac()
        else:
            settings.FAC_SQLITE_PATH.unlink(missing_ok=True)


@pytest.fixture
def fac(django_db_setup, django_db_blocker):
    """A writer on an empty FAC; every test that writes FAC rows starts from nothing."""
    with django_db_blocker.unblock():
        writer = FacWriter()
        writer.truncate_all()
        FacRowFactory._writer = writer
        yield writer
        FacRowFactory._writer = None
        writer.close()


@pytest.fixture
def detached(monkeypatch):
    """The dashboard's runs are processes of their own: they must find the test databases too."""
    from tests.mirror import subprocess_env  # needs Django's apps, loaded by then

    for name, value in subprocess_env().items():
        monkeypatch.setenv(name, value)
