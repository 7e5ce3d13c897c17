"""The operations application itself, for the tests: Laravel 8's components through tests/laravel/ops.php.

Debian packages them (php-cli, php-laravel-framework, php-mysql; .ci/run installs them). The
script builds OPS's tables with Laravel's Schema builder, exactly as the application's
migrations do, and acts as its staff through Eloquent: own clients taking the next
AUTO_INCREMENT ids, work orders, edits that bump updated_at.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import backend

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "laravel" / "ops.php"
LARAVEL = Path("/usr/share/php/Illuminate/Database/autoload.php")
EXAMPLE_MAPPING = ROOT / "deploy" / "mapping.example.toml"


def missing_reason() -> str | None:
    if shutil.which("php") is None:
        return "php is not installed (apt-get install php-cli php-laravel-framework php-mysql)"
    if not LARAVEL.exists():
        return "Laravel's components are not installed (apt-get install php-laravel-framework php-mysql)"
    return None


def require_laravel() -> None:
    """Under CI the tests must run, so a missing PHP fails them; elsewhere it skips them, saying why."""
    reason = missing_reason()
    if reason and os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)


def artisan(database: str, *args: str, timeout: float = 120) -> dict:
    """One command of the script, on the OPS database; what it printed (JSON)."""
    env = {
        **os.environ,
        "OPS_TEST_DB_HOST": backend.MYSQL["host"],
        "OPS_TEST_DB_PORT": str(backend.MYSQL["port"]),
        "OPS_TEST_DB_USERNAME": backend.MYSQL["user"],
        "OPS_TEST_DB_PASSWORD": backend.MYSQL["password"],
        "OPS_TEST_DB_DATABASE": database,
    }
    done = subprocess.run(["php", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def start_workload(database: str, seconds: float, seed: int) -> subprocess.Popen:
    env = {**os.environ, "OPS_TEST_DB_DATABASE": database, "OPS_TEST_DB_HOST": backend.MYSQL["host"],
           "OPS_TEST_DB_PORT": str(backend.MYSQL["port"]), "OPS_TEST_DB_USERNAME": backend.MYSQL["user"],
           "OPS_TEST_DB_PASSWORD": backend.MYSQL["password"]}  # fmt: skip
    command = ["php", str(SCRIPT), "workload", str(seconds), str(seed)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def example_section(table: str) -> str:
    """The example mapping's section for one table, as an operator would copy it."""
    text = EXAMPLE_MAPPING.read_text(encoding="utf-8")
    start = text.index(f"[{table}]")
    end = text.find("\n[", start + 1)
    return text[start : end if end != -1 else len(text)]
