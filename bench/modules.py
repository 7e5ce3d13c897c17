"""Which of opsync's modules an incremental run enters: the count docs/architecture.md gives.

Not a test. On the demo's SQLite databases, in a folder of its own: the demo FAC, `migrate`, a
first sync, then a second sync with nothing to do, profiled: every module of `syncapp/` whose code
runs during it is listed, with the count. Run it on two checkouts to compare them:

    .venv/bin/python bench/modules.py
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable  # the virtualenv that runs this script

PROFILED = """
import inspect
import sys
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
root = Path(sys.argv[1]) / "syncapp"
entered = set()

def profile(frame, event, arg):
    path = Path(frame.f_code.co_filename)
    function = frame.f_code.co_flags & inspect.CO_NEWLOCALS  # not a module's or a class's body: an import
    if event == "call" and function and path.is_relative_to(root):
        entered.add(str(path.relative_to(root.parent)))

import io
sys.setprofile(profile)
call_command("sync_from_facturation", verbosity=0, stdout=io.StringIO())
sys.setprofile(None)
for module in sorted(entered):
    print(module)
"""


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="opsync-modules-") as scratch:
        env = {
            **os.environ,
            "OPSYNC_ENV_FILE": "/nonexistent",
            "DJANGO_SETTINGS_MODULE": "opsync.settings",
            "DEBUG": "true",
            "DB_DATABASE": f"{scratch}/ops.sqlite3",
            "FAC_DB_DATABASE": f"{scratch}/fac.sqlite3",
            "SYNC_LOG_FILE": f"{scratch}/sync.log",
            "SYNC_MAPPING_FILE": str(ROOT / "deploy" / "mapping.demo.toml"),
        }
        for arguments in (["build_demo_facturation"], ["migrate", "--noinput"], ["sync_from_facturation"]):
            subprocess.run([PYTHON, "manage.py", *arguments], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
        done = subprocess.run(  # noqa: S603
            [PYTHON, "-c", PROFILED, str(ROOT)], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
    modules = done.stdout.split()
    print("\n".join(modules))
    print(f"{len(modules)} modules of syncapp/ entered by an incremental run with nothing to do")
    return 0


if __name__ == "__main__":
    sys.exit(main())
