"""Settings for the test suite: the project's own settings, fed test databases.

The variables are set here and read by opsync/settings.py, so the suite connects
exactly the way production does. On MariaDB, `facturation` connects as a real
SELECT-only user to a FAC database built from sql/facturation_schema.sql; on
SQLite, FAC is a file opened read-only. The suite writes FAC rows only through its
own writer connection (tests/fac.py).
"""

import os
import tempfile
from pathlib import Path

from tests import backend

SCRATCH_DIR = Path(tempfile.mkdtemp(prefix="opsync-tests-"))
FAC_SQLITE_PATH = SCRATCH_DIR / "facturation.sqlite3"

_test_env = {
    "OPSYNC_ENV_FILE": str(SCRATCH_DIR / "no.env"),  # a developer's .env must not leak in
    "DEBUG": "true",
    "SECRET_KEY": "test-only-secret-key",
    "TIME_ZONE": "Africa/Libreville",
    "LANGUAGE_CODE": "fr",
    "SYNC_LOG_FILE": str(SCRATCH_DIR / "logs" / "sync-facturation.log"),
}
if backend.BACKEND == "mariadb":
    _server = {"HOST": backend.MYSQL["host"], "PORT": str(backend.MYSQL["port"])}
    _test_env |= {f"DB_{key}": value for key, value in _server.items()}
    _test_env |= {f"FAC_DB_{key}": value for key, value in _server.items()}
    _test_env |= {
        "DB_CONNECTION": "mysql",
        "DB_DATABASE": backend.OPS_TEST_DATABASE.removeprefix("test_"),
        "DB_USERNAME": backend.MYSQL["user"],
        "DB_PASSWORD": backend.MYSQL["password"],
        "FAC_DB_CONNECTION": "mysql",
        "FAC_DB_DATABASE": backend.FAC_TEST_DATABASE,
        "FAC_DB_USERNAME": backend.READER_USER,
        "FAC_DB_PASSWORD": backend.READER_PASSWORD,
    }
else:
    _test_env |= {
        "DB_CONNECTION": "sqlite",
        "DB_DATABASE": str(SCRATCH_DIR / "ops.sqlite3"),
        "FAC_DB_CONNECTION": "sqlite",
        "FAC_DB_DATABASE": str(FAC_SQLITE_PATH),
    }
os.environ.update(_test_env)

from opsync.settings import *  # noqa: E402,F403

if backend.BACKEND == "mariadb":
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": backend.OPS_TEST_DATABASE,
        "CHARSET": "utf8mb4",
        "COLLATION": "utf8mb4_unicode_ci",
    }
else:
    # A file, not memory: tests run manage.py and gunicorn as child processes on it.
    DATABASES["default"]["TEST"] = {"NAME": str(SCRATCH_DIR / "test_ops.sqlite3")}  # noqa: F405

# Screenshots and other things worth a look after a run: outside the working tree, kept.
TEST_OUTPUT_DIR = Path(os.environ.get("OPSYNC_TEST_OUTPUT", SCRATCH_DIR / "test-output"))
