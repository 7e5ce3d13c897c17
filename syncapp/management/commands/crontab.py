"""`crontab add|show|remove|run`: django-crontab's command, mended where the guide meets it.

After SYNC_WATCH, SYNC_INTERVAL_MINUTES or SYNC_DAILY changes, the guide says to run `crontab add`
again. django-crontab's `add` first removes this checkout's lines, naming each line's job by looking
its hash up in the settings' jobs, and a line whose job the settings no longer have (the sync's, once
the watcher took it over) stopped it with a RuntimeError and a traceback, the crontab left as it was.
Here `add` and `remove` take out every line this checkout wrote (CRONTAB_COMMENT marks them), whatever
job it ran, and `show` names a job it no longer has as such.
"""

from django_crontab.crontab import Crontab
from django_crontab.management.commands.crontab import Command as CrontabCommand

RUN = "crontab run "


class Command(CrontabCommand):
    def handle(self, *args, **options):
        subcommand = options["subcommand"]
        if subcommand not in ("add", "remove", "show"):
            return super().handle(*args, **options)
        with Crontab(readonly=subcommand == "show", **options) as crontab:
            said = crontab.verbosity >= 1
            if subcommand == "show":
                print("Currently active jobs in crontab:")
            for line, job_hash in ours(crontab):
                job = job_named(crontab, job_hash)
                if subcommand != "show":
                    crontab.crontab_lines.remove(line)
                if said:  # as django-crontab says them
                    shown = f"{job_hash} -> {job}"
                    print(shown if subcommand == "show" else f"removing cronjob: ({job_hash}) -> {job}")
            if subcommand == "add":
                crontab.add_jobs()


def ours(crontab: Crontab) -> list[tuple[str, str]]:
    """This checkout's lines in the user's crontab, each with its job's hash."""
    found = []
    for line in crontab.crontab_lines:
        job = crontab.settings.CRONTAB_LINE_REGEXP.findall(line)
        if job and job[0][4] == crontab.settings.CRONTAB_COMMENT and RUN in job[0][2]:
            found.append((line, job[0][2].split(RUN, 1)[1].split()[0]))
    return found


def job_named(crontab: Crontab, job_hash: str):
    """The job as the settings define it, or what became of it."""
    for job in crontab.settings.CRONJOBS:
        if crontab._Crontab__hash_job(job) == job_hash:  # django-crontab's own hash, kept private
            return job
    return "a job the settings no longer have (SYNC_WATCH, SYNC_INTERVAL_MINUTES or SYNC_DAILY changed)"
