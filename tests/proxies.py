"""The guide's web servers for real, on the loopback, in front of opsync under gunicorn (tests/test_proxies.py).

deploy/nginx-opsync.conf and deploy/apache-opsync.conf run as they are: the only changes are their
ports and the certificate's paths (`SUBSTITUTED`), each asserted to be in the file, so a file that
changes under them fails here rather than being tested half. Everything the servers write (their
configuration around the file, pid, logs, a self-signed certificate) is under the test's tmp_path.
"""

import http.client
import os
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.browser import IN_CI

ROOT = Path(__file__).resolve().parent.parent
NAME = "ops-sync.example.ga"
NGINX, APACHE = "/usr/sbin/nginx", "/usr/sbin/apache2"
HAVE_SERVERS = os.path.exists(NGINX) and os.path.exists(APACHE) and bool(shutil.which("openssl"))
SKIP_REASON = "needs nginx-light, apache2 and openssl (apt)"
SKIP = not HAVE_SERVERS and not IN_CI  # in CI a missing server fails the test


@dataclass
class Ports:
    http: int
    https: int
    app: int  # gunicorn's


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for NAME, as the real one would be: the servers need one to speak TLS."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={NAME}",
         "-addext", f"subjectAltName=DNS:{NAME}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def substituted(file: Path, replacements: dict[str, str]) -> str:
    """The deploy file with only these changes, each of which must find its text."""
    text = file.read_text()
    for old, new in replacements.items():
        assert old in text, f"{file.name} no longer has {old!r}: tests/proxies.py must follow it"
        text = text.replace(old, new)
    return text


def deploy_changes(ports: Ports, cert: Path, key: Path, listen: dict[str, str]) -> dict[str, str]:
    """What changes from the guide's file to the test's, and nothing else: the ports (on the loopback), the
    certificate, and where gunicorn listens."""
    return {
        **listen,
        "/etc/ssl/certs/ops-sync.example.ga.pem": str(cert),
        "/etc/ssl/private/ops-sync.example.ga.key": str(key),
        "127.0.0.1:8010": f"127.0.0.1:{ports.app}",
    }


NGINX_MAIN = """
daemon off;
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{}}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/opsync.conf;
}}
"""

APACHE_MAIN = """
ServerRoot /etc/apache2
ServerName localhost
PidFile {folder}/apache.pid
DefaultRuntimeDir {folder}
ErrorLog {folder}/error.log
LogLevel warn
{user}
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so
LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
Listen 127.0.0.1:{http}
Listen 127.0.0.1:{https}
Include {folder}/opsync.conf
"""


def nginx_start(folder: Path, ports: Ports) -> subprocess.Popen:
    cert, key = certificate(folder)
    listen = {"listen 80": f"listen 127.0.0.1:{ports.http}", "listen 443": f"listen 127.0.0.1:{ports.https}"}
    site = substituted(ROOT / "deploy" / "nginx-opsync.conf", deploy_changes(ports, cert, key, listen))
    (folder / "opsync.conf").write_text(site)
    user = "user root;" if os.geteuid() == 0 else ""  # its workers read and write under tmp_path
    (folder / "nginx.conf").write_text(NGINX_MAIN.format(folder=folder, user=user))
    server = subprocess.Popen([NGINX, "-c", str(folder / "nginx.conf"), "-p", str(folder)], stderr=subprocess.PIPE)
    return server_ready(server, ports, folder / "error.log")


def apache_start(folder: Path, ports: Ports) -> subprocess.Popen:
    cert, key = certificate(folder)
    listen = {"*:80>": f"*:{ports.http}>", "*:443>": f"*:{ports.https}>"}  # each <VirtualHost>
    site = substituted(ROOT / "deploy" / "apache-opsync.conf", deploy_changes(ports, cert, key, listen))
    (folder / "opsync.conf").write_text(site)
    user = "User www-data\nGroup www-data" if os.geteuid() == 0 else ""  # Apache refuses to serve as root
    main = APACHE_MAIN.format(folder=folder, user=user, http=ports.http, https=ports.https)
    (folder / "apache2.conf").write_text(main)
    server = subprocess.Popen([APACHE, "-f", str(folder / "apache2.conf"), "-DFOREGROUND"], stderr=subprocess.PIPE)
    return server_ready(server, ports, folder / "error.log")


def server_ready(server: subprocess.Popen, ports: Ports, error_log: Path) -> subprocess.Popen:
    """The server, once it accepts connections on both ports; its own words if it stopped instead."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log = error_log.read_text() if error_log.exists() else ""
            raise AssertionError(f"the server stopped: {server.stderr.read().decode()}{log}")
        if all(answers(port) for port in (ports.http, ports.https)):
            return server
        time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not listen within 30 s")


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class From(http.client.HTTPSConnection):
    """HTTPS to the proxy on the loopback, from a loopback address of our choosing (another client than the
    proxy's own 127.0.0.1), naming the host in TLS (SNI) as a browser would: `server_name` picks the site."""

    def __init__(self, port: int, *, source: str, server_name: str = NAME):
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the test's self-signed certificate
        super().__init__("127.0.0.1", port, timeout=30, context=context, source_address=(source, 0))
        self.source, self.tls, self.server_name = (source, 0), context, server_name

    def connect(self):
        raw = socket.create_connection((self.host, self.port), self.timeout, self.source)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.server_name)


def request(connection: http.client.HTTPConnection, method: str, path: str, *, body: str | None = None,
            headers: dict | None = None) -> tuple[http.client.HTTPResponse, str]:  # fmt: skip
    connection.request(method, path, body=body, headers={"Host": NAME, **(headers or {})})
    answer = connection.getresponse()
    text = answer.read().decode()
    connection.close()
    return answer, text
