"""`--help` in the reader's language, all of it: Django's own options and argparse's words too.

argparse says `usage:`, `options:` and `show this help message and exit` in English, and
Django's options (`--verbosity`, `--settings`…) have English help; opsync's commands say
them as the rest of their help, in LANGUAGE_CODE.
"""

from typing import Any

from django.core.management.base import BaseCommand, DjangoHelpFormatter
from django.utils.translation import gettext, gettext_lazy, pgettext

# Django's own options, by argparse's dest.
BASE_OPTIONS = {
    "help": gettext_lazy("show this help and exit"),
    "version": gettext_lazy("show Django's version and exit"),
    "verbosity": gettext_lazy("detail of the output: 0 little, 1 normal, 2 and 3 more"),
    "settings": gettext_lazy("the settings module to use (else DJANGO_SETTINGS_MODULE)"),
    "pythonpath": gettext_lazy("a folder to add to Python's path"),
    "traceback": gettext_lazy("on an error, show where it came from (for a developer)"),
    "no_color": gettext_lazy("no colours in the output"),
    "force_color": gettext_lazy("colours in the output, even into a pipe or a file"),
    "skip_checks": gettext_lazy("skip Django's system checks"),
}


class Formatter(DjangoHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, gettext("usage: ") if prefix is None else prefix)


class TranslatedHelp(BaseCommand):
    """A command whose whole --help is translated (its own options' help must be lazy texts).
    `base_help` says some of Django's options the command's own way."""

    base_help: dict[str, Any] = {}

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = Formatter
        parser.description = str(parser.description) if parser.description else parser.description
        # argparse writes the title then « : »; the translation ends with the space French puts before it.
        parser._optionals.title = pgettext("help section, before a colon", "options")
        base = {**BASE_OPTIONS, **self.base_help}
        for action in parser._actions:
            if action.dest in base:
                action.help = str(base[action.dest])
            elif action.help is not None:
                action.help = str(action.help)  # argparse wraps text: a lazy translation is not one
        return parser
