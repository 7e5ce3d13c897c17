"""Logins on the company network: throttled by django-axes, each failure logged, a lock said in words.

django-axes counts failures for LOGIN_LOCKOUT_MINUTES and refuses a login once LOGIN_FAILURE_LIMIT are
counted against it; this module says what they count against (`lockout_parameters`), forgives an
account's own failures when it logs in, gives axes the client's real address behind the local reverse
proxy, the page that says so in the reader's language, and a log line per failure.

An attacker must not guess without limit, nor lock the real user out of their own desk:

- from anywhere, a login is refused once its address has failed the limit's times (whatever the
  accounts tried), or its account has (whatever the addresses): one address, or a whole subnet, gets
  that many guesses at a password per lockout, no more;
- from the account's desk, a browser where it has logged in within DESK_DAYS (a signed cookie, set at
  each login, names the account), only the account's own failures at that address count: someone
  guessing its password elsewhere does not lock its owner out.
"""

import ipaddress
import logging
from datetime import timedelta

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, ngettext

from syncapp.common.text import quoted

logger = logging.getLogger("opsync.security")

DESK_COOKIE = "opsync_desk"
DESK_SALT = "syncapp.web.logins.desk"  # the cookie's signature is good for this cookie only
DESK_DAYS = 90


def lockout_parameters(request: HttpRequest, credentials: dict | None = None) -> list:
    """AXES_LOCKOUT_PARAMETERS: what this login's failures are counted by (see the module's docstring)."""
    desk = desk_account(request)
    if desk is not None and desk == get_client_username(request, credentials):
        return [["username", "ip_address"]]
    return ["ip_address", "username"]


def desk_account(request: HttpRequest) -> str | None:
    """The account this browser logged in as within DESK_DAYS, from its signed cookie; None when none."""
    return request.get_signed_cookie(DESK_COOKIE, default=None, salt=DESK_SALT, max_age=timedelta(days=DESK_DAYS))


def desk_remember(response: HttpResponse, username: str) -> None:
    """After a login: this browser is the account's desk for DESK_DAYS from now."""
    response.set_signed_cookie(
        DESK_COOKIE,
        username,
        salt=DESK_SALT,
        max_age=timedelta(days=DESK_DAYS),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


@receiver(user_logged_in)
def login_forgives_own_failures(sender, request: HttpRequest, user, **kwargs) -> None:
    """A login forgives the account's own failures at its address: not another account's failures there (axes'
    AXES_RESET_ON_SUCCESS deleted every failure of the address, so a viewer's login reset the count of guesses
    at `admin`), nor the account's failures at other addresses, which are someone else's guesses."""
    AccessAttempt.objects.filter(username=user.get_username(), ip_address=client_address(request)).delete()


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
    context["desk_days"] = DESK_DAYS
    return render(request, "admin/locked_out.html", context, status=429)


@receiver(user_login_failed)
def login_failure_log(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    """Who tried, from where: the time is the log line's. The name typed is anyone's: quoted and escaped."""
    address = client_address(request) if request is not None else "-"
    logger.warning("login failed: user=%s address=%s", quoted(str(credentials.get("username", ""))), address)
