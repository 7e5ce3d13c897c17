"""Logins on the company network: throttled by django-axes, each failure logged, a lock said in words.

django-axes locks an account, and an address, after LOGIN_FAILURE_LIMIT failures in a row, for
LOGIN_LOCKOUT_MINUTES; this module gives it the client's real address behind the local reverse
proxy, the page that says so in the reader's language, and a log line per failure.
"""

import ipaddress
import logging
from datetime import timedelta

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, ngettext

from syncapp.common.text import quoted

logger = logging.getLogger("opsync.security")


def client_address(request: HttpRequest) -> str:
    """The client's address: the last X-Forwarded-For entry when the request came through the proxy on this
    host, else the peer's.

    Behind the proxy every request comes from the loopback: locking that address would lock everyone.
    nginx (`$proxy_add_x_forwarded_for`) and Apache (mod_proxy) both append the peer they saw to whatever
    X-Forwarded-For the client sent, so only the last entry is the proxy's own word; the entries before it,
    and X-Real-IP, are the client's and may be forged. From any other peer, no header is believed.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rpartition(",")[2].strip()
    try:
        if forwarded and ipaddress.ip_address(peer).is_loopback:
            return str(ipaddress.ip_address(forwarded))
    except ValueError:  # not an address: keep the peer's
        pass
    return peer


def minutes_text(cool_off: timedelta) -> str:
    minutes = max(1, round(cool_off.total_seconds() / 60))
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}


def locked_out(request: HttpRequest, *args) -> HttpResponse:
    """django-axes' lockout: the login page's look, saying that and for how long (HTTP 429).

    Rendered here: axes' middleware reads the response's content, which a TemplateResponse has not yet.
    """
    from axes.helpers import get_cool_off
    from django.contrib import admin

    lockout = minutes_text(get_cool_off(request) or timedelta(minutes=1))
    context = {**admin.site.each_context(request), "title": gettext("Locked"), "lockout": lockout}
    return render(request, "admin/locked_out.html", context, status=429)


@receiver(user_login_failed)
def login_failure_log(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    """Who tried, from where: the time is the log line's. The name typed is anyone's: quoted and escaped."""
    address = client_address(request) if request is not None else "-"
    logger.warning("login failed: user=%s address=%s", quoted(str(credentials.get("username", ""))), address)
