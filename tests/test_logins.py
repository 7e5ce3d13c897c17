"""Logins on the company network: who is locked out, for how long, from where, and what the log says.

Each point of issue 25 reproduced through the admin's own login form (Django's test client), with
django-axes' records in the real OPS database.
"""

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

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
