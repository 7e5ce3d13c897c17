"""Logins on the company network: who is locked out, for how long, from where, and what the log says.

Each point of issue 25 reproduced through the admin's own login form (Django's test client), with
django-axes' records in the real OPS database.
"""

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

from syncapp.common.text import escaped
from syncapp.web.logins import client_address

BOTH = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)


def log_in(client, username: str, password: str, address: str):
    """The login form, posted from `address` as the proxy on this host passes it on."""
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )


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
