"""The guide's nginx and Apache in front of opsync, for real: what reaches opsync, and what it believes.

Each test runs deploy/nginx-opsync.conf and deploy/apache-opsync.conf as they are (tests/proxies.py
says what it changes: ports and certificate only) in front of opsync under gunicorn, with production
settings. The client is another loopback address than the proxy's (127.0.0.23), so that what opsync
records as the client's address, and what the proxy lets through to /healthz, can be told apart.
"""

import http.client
import json
import re
import secrets
import ssl
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from axes.models import AccessAttempt

from tests.mirror import subprocess_env
from tests.proxies import (
    NAME,
    SKIP,
    SKIP_REASON,
    From,
    Ports,
    answers,
    apache_start,
    free_port,
    nginx_start,
    request,
    stop,
)

pytestmark = [
    pytest.mark.skipif(SKIP, reason=SKIP_REASON),
    pytest.mark.django_db(databases=["default", "facturation"], transaction=True),
]
ROOT = Path(__file__).resolve().parent.parent
CLIENT = "127.0.0.23"  # a client on the loopback, but not the proxy's 127.0.0.1
FORGED = {"X-Real-IP": "10.20.30.40", "X-Forwarded-For": "10.20.30.41"}


@dataclass
class App:
    port: int
    log: Path  # the sync log, where failed logins go
    output: Path  # gunicorn's stdout and stderr: Django's console log, and the mails (console backend)


@pytest.fixture(scope="module")
def app(django_db_setup, tmp_path_factory):
    """opsync under gunicorn, as deploy/opsync.service runs it, with production settings on the test databases."""
    folder = tmp_path_factory.mktemp("opsync")
    env = subprocess_env(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=NAME,
        STATIC_ROOT=str(folder / "static"),
        SYNC_LOG_FILE=str(folder / "sync.log"),
        ADMINS="Informatique <informatique@opsync.ga>",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "opsync.wsgi", "--bind", f"127.0.0.1:{port}"]
    with open(folder / "gunicorn.txt", "wb") as output:
        server = subprocess.Popen([*gunicorn, "--workers", "1"], cwd=ROOT, env=env, stdout=output, stderr=output)
    for _ in range(300):  # gunicorn starting: a minute at most
        assert server.poll() is None, (folder / "gunicorn.txt").read_text()
        if answers(port):
            break
        time.sleep(0.2)
    yield App(port, folder / "sync.log", folder / "gunicorn.txt")
    stop(server)


@pytest.fixture(params=["nginx", "apache"])
def proxy(request, tmp_path, app) -> Iterator[tuple[str, Ports]]:
    ports = Ports(free_port(), free_port(), app.port)
    server = (nginx_start if request.param == "nginx" else apache_start)(tmp_path, ports)
    yield request.param, ports
    stop(server)


def login_form(port: int) -> tuple[int, str, str]:
    """The login page through the proxy: its status, the CSRF cookie and the form's token."""
    page, html = request(From(port, source=CLIENT), "GET", "/admin/login/")
    cookie = SimpleCookie()
    for header in page.headers.get_all("Set-Cookie") or []:
        cookie.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return page.status, cookie["csrftoken"].value if "csrftoken" in cookie else "", token[1] if token else ""


def test_the_host_and_https_pass_and_opsync_records_the_address_the_proxy_saw_not_a_forged_one(proxy, app):
    kind, ports = proxy
    status, csrf, token = login_form(ports.https)
    # 200: the Host reached Django as the client sent it (else 400), and so did HTTPS (else a 301 to https).
    assert status == 200, kind

    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "intrus", "password": "x"})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf}",
        "Origin": f"https://{NAME}",
        "Referer": f"https://{NAME}/admin/login/",
        **FORGED,
    }
    answer, html = request(From(ports.https, source=CLIENT), "POST", "/admin/login/", body=form, headers=headers)
    assert answer.status == 200 and 'name="username"' in html  # the form again, with its error

    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [("intrus", CLIENT)]
    assert f'login failed: user="intrus" address={CLIENT}' in app.log.read_text()
    assert "10.20.30.4" not in app.log.read_text()


def test_a_monitor_on_the_machine_asks_gunicorn_by_its_address_and_gets_the_health_not_a_400(app):
    """The guide's local monitor, `curl http://127.0.0.1:8010/healthz/sync`: curl sends the address it
    was given as Host, which ALLOWED_HOSTS (opsync's public name only) does not list."""
    refused = app.output.read_text().count("DisallowedHost")  # other tests' scanners, before this one
    for host in (f"127.0.0.1:{app.port}", f"localhost:{app.port}", "127.0.0.1"):
        direct = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
        answer, body = request(direct, "GET", "/healthz/sync", headers={"Host": host})
        assert answer.status in (200, 503) and json.loads(body)["status"], (host, answer.status, body)
    assert app.output.read_text().count("DisallowedHost") == refused


def test_without_the_proxy_opsync_does_not_take_the_request_for_https(app):
    """What the proxy's X-Forwarded-Proto does: gunicorn asked directly sends the browser to HTTPS."""
    direct = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
    answer, _ = request(direct, "GET", "/admin/login/")
    assert answer.status == 301 and answer.getheader("Location") == f"https://{NAME}/admin/login/"


def test_the_health_check_answers_the_monitors_address_only(proxy):
    kind, ports = proxy
    mine, body = request(From(ports.https, source="127.0.0.1"), "GET", "/healthz/sync")
    assert mine.status == 503 and json.loads(body)["ops"] == "reachable", kind  # opsync's answer: no run yet
    other, body = request(From(ports.https, source=CLIENT), "GET", "/healthz/sync")
    assert other.status == 403 and "ops" not in body, kind  # the proxy's own refusal


def test_nginx_refuses_other_host_names_before_they_reach_opsync(tmp_path, app):
    ports = Ports(free_port(), free_port(), app.port)
    server = nginx_start(tmp_path, ports)
    try:
        with pytest.raises(ssl.SSLError):  # no certificate is even shown for another name
            From(ports.https, source=CLIENT, server_name="autre.example.ga").connect()
        plain = http.client.HTTPConnection("127.0.0.1", ports.http, timeout=30, source_address=(CLIENT, 0))
        with pytest.raises(http.client.RemoteDisconnected):  # 444: the connection closed, nothing said
            request(plain, "GET", "/admin/login/", headers={"Host": "autre.example.ga"})
    finally:
        stop(server)
    assert "autre.example.ga" not in app.output.read_text()


def test_another_host_name_through_apache_is_a_400_said_in_the_journal_and_mailed_to_nobody(tmp_path, app):
    """Apache answers a name it does not serve with the port's first site, so such requests reach opsync."""
    ports = Ports(free_port(), free_port(), app.port)
    server = apache_start(tmp_path, ports)
    try:
        for _ in range(5):
            answer, _ = request(From(ports.https, source=CLIENT), "GET", "/", headers={"Host": "autre.example.ga"})
            assert answer.status == 400
    finally:
        stop(server)
    output = app.output.read_text()
    said = "django.security.DisallowedHost: Invalid HTTP_HOST header: 'autre.example.ga'."
    assert output.count(said) == 5 and "Traceback" not in output  # gunicorn's output: the journal, one line each
    assert "Subject:" not in output  # the console mail backend writes every mail there
