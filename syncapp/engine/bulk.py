"""The first copy of id ranges the mirror does not have yet: FAC writes the lines, LOAD DATA reads them.

Turning every value into a Python object and back into SQL is what makes a naive full copy
slow, and so is escaping every value in Python. Here the FAC server builds each row's
tab-separated line itself (syncapp/sql/load.py); Python only writes the lines to a file that
OPS loads with LOAD DATA LOCAL INFILE. That needs `local_infile` on the OPS server and
connection; where it is refused, the caller falls back to batched upserts.

LOAD DATA LOCAL turns errors into warnings (the server cannot stop the client's file
midway), so a load that warns is rolled back and the range copied row by row instead,
where a row OPS refuses is recorded like any other.
"""

import hashlib
import os
import stat
import tempfile
from datetime import datetime
from pathlib import Path

from django.db import OperationalError, connections, transaction

from syncapp.common.aliases import OPS_ALIAS
from syncapp.config.databases import error_code
from syncapp.config.mapping import TableMapping
from syncapp.sql import load

# The server or the client refuses LOAD DATA LOCAL (local_infile off, or not allowed).
LOAD_REFUSED = {1148, 2068, 3948, 4166}
ROWS_PER_LOAD = 20_000


class LoadRejected(Exception):
    """OPS loaded the file with warnings (a value cut, a duplicate id): roll this load back."""


class BulkLoader:
    """Copies whole id ranges from FAC into an OPS mirror table, inside the table's transaction."""

    def __init__(self, mapping: TableMapping, synced_at: datetime):
        self.mapping, self.synced_at = mapping, synced_at
        self.ops = mapping.ops

    def copy(self, low: int, high: int, *, keep_ids: int | None) -> tuple[int, list[int], int] | None:
        """Load the FAC rows with ids in [low, high).

        Returns how many rows were loaded, the first `keep_ids` of their ids (all with None)
        and the highest, or None when OPS would not take the load cleanly (nothing of it is kept).
        """
        count, highest = 0, 0
        ids: list[int] = []
        fac, fields = self.mapping.fac, self.mapping.fields
        try:
            with transaction.atomic(using=self.ops.alias):
                for batch in load.stream_lines(fac, fields, low, high, batch_size=ROWS_PER_LOAD):
                    self.load_lines([line for _, line in batch])
                    count += len(batch)
                    room = len(batch) if keep_ids is None else max(keep_ids - len(ids), 0)
                    ids += [row_id for row_id, _ in batch[:room]]
                    highest = max(highest, *(row_id for row_id, _ in batch))
        except LoadRejected:
            return None
        return count, ids, highest

    def load_lines(self, lines: list[str]) -> None:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".tsv", dir=staging()) as data:
            data.write("\n".join(lines))
            data.write("\n")
            data.flush()
            if load.file_load(self.ops, data.name, self.synced_at):
                raise LoadRejected


def load_refused(exc: OperationalError) -> bool:
    return error_code(exc) in LOAD_REFUSED


def staging() -> Path | None:
    """Where this OPS database's runs stage FAC's rows for LOAD DATA: a folder of the temporary folder,
    this user's alone (mode 0700), named after the user and the OPS database, so that a run can clear
    what an earlier one left (staging_clear) without touching another installation's. None where a
    folder of that name exists that is not this user's alone: the files go to the temporary folder
    itself then, where NamedTemporaryFile keeps them private, and nothing is cleared."""
    ops = connections[OPS_ALIAS].settings_dict
    database = hashlib.sha256(f"{ops.get('HOST')}:{ops.get('PORT')}/{ops.get('NAME')}".encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"opsync-{os.getuid()}-{database}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        found = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        return None
    return folder


def staging_clear() -> int:
    """At a run's start, under the sync's lock (no other run of this OPS stages then): remove the files
    of FAC's rows that a run killed in the middle of its first copy left behind. How many there were."""
    folder = staging()
    left = list(folder.glob("*.tsv")) if folder else []
    for path in left:
        path.unlink(missing_ok=True)
    return len(left)
