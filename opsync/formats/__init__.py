"""Dates as opsync writes them everywhere (syncapp/formats.local_time): 2026-12-01 13:39:58 WAT.

FORMAT_MODULE_PATH points Django here, so that the dates the admin renders itself (a user's last
login, a list's date column) read like those opsync renders, in either language.
"""
