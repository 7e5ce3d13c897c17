from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from syncapp.engine import FacUnreachable, fac_check, table_copy
from syncapp.mapping import MAPPINGS
from syncapp.models import SyncRun, SyncTableResult


class Command(BaseCommand):
    help = "Copy the five reference tables from FAC (billing) into the OPS mirror."

    def handle(self, *args, **options):
        run = SyncRun.objects.create(tables=[m.name for m in MAPPINGS])
        try:
            fac_check()
        except FacUnreachable as exc:
            self.finish(run, SyncRun.Status.FAILED, str(exc))
            raise CommandError(str(exc)) from None
        for mapping in MAPPINGS:
            outcome = table_copy(mapping=mapping)
            SyncTableResult.objects.create(
                run=run, table=mapping.name, status=SyncTableResult.Status.SUCCESS, inserted=outcome.inserted
            )
            run.inserted += outcome.inserted
            self.stdout.write(f"{mapping.name}: {outcome.inserted} rows copied")
        self.finish(run, SyncRun.Status.SUCCESS, "")
        self.stdout.write(f"Run #{run.pk}: {run.inserted} rows copied from FAC.")

    def finish(self, run, status, error):
        run.status = status
        run.error = error
        run.finished_at = timezone.now()
        run.save()
