"""Safe on the company network: throttled logins, escaped logs, verbatim variables, one run per click.

Each point of the security review, reproduced and then held: a burst of wrong passwords locks the
account and the address, and the right one is refused until the lock ends; every failure is logged.
"""

import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User

BOTH = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
PROXY = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "192.0.2.10"}  # nginx on this host, for a client


def log_in(client, password: str, **where):
    return client.post("/admin/login/?next=/admin/", {"username": "chef", "password": password}, **where)


@BOTH
def test_a_burst_of_wrong_passwords_locks_the_account_until_the_lock_ends_and_each_is_logged(client, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=3)
    User.objects.create_superuser("chef", "chef@opsync.ga", "Le-bon-mot-de-passe-2026")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "mauvais", **PROXY).status_code == 200  # the login form again, with its error
    assert log_in(client, "mauvais", **PROXY).status_code == 429  # the last one allowed locks

    locked = log_in(client, "Le-bon-mot-de-passe-2026", **PROXY)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "ce compte et cette adresse sont verrouillés pendant 1 minute." in page
    # The account is locked from another address too, and the address for another account.
    assert (
        log_in(client, "Le-bon-mot-de-passe-2026", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="192.0.2.99").status_code
        == 429
    )
    log = django_settings.SYNC_LOG_FILE.read_text(encoding="utf-8")
    # Each failure, the refused right one too, with who and from where (the line's time is when).
    assert log.count("WARNING login failed: user=chef address=192.0.2.10") == settings.AXES_FAILURE_LIMIT + 1
    assert log.count("WARNING login failed: user=chef address=192.0.2.99") == 1

    time.sleep(3.5)
    assert log_in(client, "Le-bon-mot-de-passe-2026", **PROXY).status_code == 302  # the lock has ended
