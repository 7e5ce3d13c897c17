"""FAC's MySQL connection: Django's MySQL backend, set up in two statements (opsync/env.py names it)."""
