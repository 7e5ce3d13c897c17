"""Logins on the company network: who is locked out, for how long, from where, and what the log says.

Each point of issue 25 reproduced through the admin's own login form (Django's test client), with
django-axes' records in the real OPS database.
"""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from syncapp.common.text import escaped
from syncapp.web.logins import client_address

BOTH = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
ADMIN_PASSWORD, VIEWER_PASSWORD = "Le-bon-mot-de-passe-2026", "Celui-du-lecteur-2026"


def log_in(client, username: str, password: str, address: str):
    """The login form, posted from `address` as the proxy on this host passes it on."""
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.fixture
def accounts():
    User.objects.create_superuser("admin", "admin@opsync.ga", ADMIN_PASSWORD)
    User.objects.create_user("lecteur", "lecteur@opsync.ga", VIEWER_PASSWORD, is_staff=True)


def desk(username: str, password: str, address: str) -> Client:
    """A browser where the account has logged in (then out): its own desk."""
    browser = Client()
    assert log_in(browser, username, password, address).status_code == 302
    browser.post("/admin/logout/")
    return browser


def log_lines() -> list[str]:
    path = django_settings.SYNC_LOG_FILE
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


@pytest.mark.parametrize(
    ("peer", "headers", "address"),
    [
        # The proxy on this host appended the peer it saw: that last entry, whatever the client wrote before it.
        ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "192.0.2.5"}, "192.0.2.5"),
        ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "10.20.30.40, 192.0.2.5"}, "192.0.2.5"),
        ("::1", {"HTTP_X_FORWARDED_FOR": "10.20.30.40,2001:db8::7"}, "2001:db8::7"),
        # X-Real-IP is the client's own word when the proxy passes it on (Apache does): never read.
        ("127.0.0.1", {"HTTP_X_REAL_IP": "10.20.30.40"}, "127.0.0.1"),
        ("127.0.0.1", {"HTTP_X_REAL_IP": "10.20.30.40", "HTTP_X_FORWARDED_FOR": "192.0.2.5"}, "192.0.2.5"),
        # A last entry that is no address: the peer.
        ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "192.0.2.5, unknown"}, "127.0.0.1"),
        # Not through the proxy on this host: the peer, whatever it says.
        ("192.0.2.77", {"HTTP_X_FORWARDED_FOR": "10.20.30.40", "HTTP_X_REAL_IP": "10.20.30.40"}, "192.0.2.77"),
    ],
)
def test_the_client_address_is_the_one_the_proxy_on_this_host_appended(peer, headers, address):
    request = RequestFactory().get("/admin/login/", REMOTE_ADDR=peer, **headers)
    assert client_address(request) == address


@BOTH
def test_a_typed_name_cannot_forge_the_address_or_reorder_the_line(client):
    before = len(log_lines())
    log_in(client, "admin address=10.20.30.40", "x", "192.0.2.30")
    log_in(client, "admin\u202e04.03.02.01=sserdda", "x", "192.0.2.30")
    log_in(client, 'say "hi"\n\\ bye', "x", "192.0.2.30")
    lines = [line.split(" WARNING ", 1)[1] for line in log_lines()[before:]]
    assert lines == [
        'login failed: user="admin address=10.20.30.40" address=192.0.2.30',
        'login failed: user="admin\\u202e04.03.02.01=sserdda" address=192.0.2.30',
        'login failed: user="say \\"hi\\"\\n\\\\ bye" address=192.0.2.30',
    ]


@pytest.mark.parametrize("char", "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
def test_every_bidirectional_control_is_escaped_wherever_outside_text_is_written(char):
    """The login's log line, a run's record and the messages quoting FAC's values share the escaper."""
    assert escaped(f"a{char}b") == f"a\\u{ord(char):04x}b"


@BOTH
def test_a_login_forgives_the_accounts_own_failures_and_nothing_of_another_account(client, accounts, settings):
    """Four wrong passwords for `admin`, then a viewer's own login, over and over, gave 16 guesses and no lock."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "admin", "mauvais", "192.0.2.40").status_code == 200
    assert log_in(Client(), "lecteur", VIEWER_PASSWORD, "192.0.2.40").status_code == 302
    # The viewer's success forgave nothing of admin's: the next guess at this address is the last one.
    assert log_in(client, "admin", "mauvais", "192.0.2.40").status_code == 429
    assert log_in(client, "admin", ADMIN_PASSWORD, "192.0.2.40").status_code == 429

    # The viewer's own typos, at its own address, are forgiven by its success: four more do not lock it.
    viewer = Client()
    for _ in range(2):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert log_in(viewer, "lecteur", "mauvais", "192.0.2.41").status_code == 200
        assert log_in(viewer, "lecteur", VIEWER_PASSWORD, "192.0.2.41").status_code == 302
        viewer.post("/admin/logout/")


@BOTH
def test_one_address_guesses_at_most_the_limit_whatever_the_accounts(client, accounts, settings):
    answers = [log_in(client, f"compte{n}", "mauvais", "192.0.2.60").status_code for n in range(12)]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429] * (13 - settings.AXES_FAILURE_LIMIT)
    assert log_in(client, "admin", ADMIN_PASSWORD, "192.0.2.60").status_code == 429  # the right one, too late


@BOTH
def test_an_account_gets_at_most_the_limit_of_guesses_whatever_the_addresses(accounts, settings):
    """An attacker with many addresses (a subnet, IPv6) still guesses `admin` the limit's times, no more."""
    answers = [log_in(Client(), "admin", "mauvais", f"192.0.2.{100 + n}").status_code for n in range(12)]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429] * (13 - settings.AXES_FAILURE_LIMIT)
    assert log_in(Client(), "admin", ADMIN_PASSWORD, "192.0.2.200").status_code == 429  # right, but too late


@BOTH
def test_the_owner_still_logs_in_from_their_own_desk_while_their_account_is_locked_for_others(accounts, settings):
    """Five wrong passwords for `admin` from one address refused `admin` everywhere: anyone could lock it out."""
    own_desk = desk("admin", ADMIN_PASSWORD, "192.0.2.50")
    viewers_desk = desk("lecteur", VIEWER_PASSWORD, "192.0.2.51")
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "admin", "mauvais", f"198.51.100.{n + 1}")
    assert log_in(Client(), "admin", ADMIN_PASSWORD, "198.51.100.99").status_code == 429  # locked for others

    assert log_in(own_desk, "admin", ADMIN_PASSWORD, "192.0.2.50").status_code == 302  # but not at its desk
    own_desk.post("/admin/logout/")
    # Another account's desk is no desk of admin's; a new browser at the desk's address is none either.
    assert log_in(viewers_desk, "admin", ADMIN_PASSWORD, "192.0.2.51").status_code == 429
    assert log_in(Client(), "admin", ADMIN_PASSWORD, "192.0.2.50").status_code == 429
    # At its desk, the owner's own wrong passwords still lock: a desk guesses at most the limit too.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(own_desk, "admin", "mauvais", "192.0.2.50")
    assert log_in(own_desk, "admin", ADMIN_PASSWORD, "192.0.2.50").status_code == 429


@BOTH
def test_a_session_ends_with_the_browser_and_after_a_working_day_at_most(client, accounts, settings):
    """Sessions lived 14 days, past the browser's closing: a shared or stolen computer stayed logged in."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert log_in(client, "admin", ADMIN_PASSWORD, "192.0.2.70").status_code == 302
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert (cookie["expires"], cookie["max-age"]) == ("", "")  # the browser forgets it when it closes
    session = Session.objects.get(session_key=cookie.value)
    assert abs(session.expire_date - timezone.now() - timedelta(hours=10)) < timedelta(minutes=1)


@BOTH
def test_a_browser_without_a_desk_or_with_a_forged_one_is_nobodys_desk(accounts):
    """The desk's cookie is signed: one written by hand, or one with no account, spares nothing."""
    from django.test import RequestFactory

    from syncapp.web.logins import DESK_COOKIE, lockout_parameters

    factory = RequestFactory()
    assert lockout_parameters(factory.post("/admin/login/", {}), None) == ["ip_address", "username"]
    forged = factory.post("/admin/login/", {"username": "admin"})
    forged.COOKIES[DESK_COOKIE] = "admin"
    assert lockout_parameters(forged, {"username": "admin"}) == ["ip_address", "username"]
