"""syncapp/common/clock.py: FAC's timestamps running ahead of FAC's clock by a time zone."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from syncapp.common.clock import without_offset, zone_offset
from syncapp.models import SyncRun
from tests.factories import ClientFactory, fac_now
from tests.mirror import sync

MINUTE = timedelta(minutes=1)


def test_a_fresh_change_an_hour_ahead_is_the_zone_of_libreville():
    assert zone_offset(60 * MINUTE - timedelta(seconds=2)) == 60 * MINUTE
    assert zone_offset(60 * MINUTE) == 60 * MINUTE
    assert zone_offset(5 * 60 * MINUTE + 29 * MINUTE) == 5 * 60 * MINUTE + 30 * MINUTE  # India's half hour


def test_drifting_clocks_and_wrong_dates_are_no_zone():
    assert zone_offset(timedelta(0)) == timedelta(0)
    assert zone_offset(-60 * MINUTE) == timedelta(0)
    assert zone_offset(9 * MINUTE) == timedelta(0)
    assert zone_offset(timedelta(days=3)) == timedelta(0)


def test_an_age_without_the_offset_is_never_negative():
    assert without_offset(59 * MINUTE, 60 * MINUTE) == timedelta(0)
    assert without_offset(75 * MINUTE, 60 * MINUTE) == 15 * MINUTE
    assert without_offset(75 * MINUTE, timedelta(0)) == 75 * MINUTE


@pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
def test_a_billing_application_writing_its_local_time_is_said_once_and_left_out_of_lag_and_latency(fac, client):
    ClientFactory.create_batch(3, updated_at=fac_now() - timedelta(days=1))
    assert sync()[0] == 0
    # Laravel with APP_TIMEZONE=Africa/Libreville on a server in UTC: its times run an hour ahead.
    ClientFactory(updated_at=fac_now() + timedelta(hours=1) - timedelta(seconds=30))  # made 30 s ago

    assert sync()[0] == 0

    result = SyncRun.objects.latest("started_at").results.get(table="clients")
    assert 29 <= result.latency_seconds < 90  # not "< 1 s"
    status, output = sync("--status")
    assert status == 0, output
    assert output.count("ahead of FAC's own clock") == 1
    assert "FAC's updated_at runs 60 min ahead of FAC's own clock (clients)" in output
    assert "'clients_lag'=0s" in output.splitlines()[0]  # not 59 minutes
    client.force_login(User.objects.create_superuser("chef", "chef@opsync.ga", "x"))
    page = client.get(reverse("admin:syncapp_dashboard")).content.decode()
    assert page.count("Les updated_at de FAC sont en avance de 60\xa0min sur") == 1  # the admin speaks French
