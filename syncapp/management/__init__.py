"""Django's commands: `sync_from_facturation`, `build_demo_facturation` for the demo, and `crontab`
(django-crontab's, mended).

Thin: they parse their options, call the folders below, and write what those return.

May import: every folder, and the demo.
Imported by: Django's manage.py only.
"""
