"""Brute-force protection: django-axes as we run it (settings `LOGIN_*`, `TRUSTED_PROXIES`, `AXES_*`).

A client is locked out after `LOGIN_FAILURES_PER_USER_AND_IP` failures on one account from one address, or
`LOGIN_FAILURES_PER_IP` failures from one address whatever the accounts, for `LOGIN_COOLOFF_MINUTES`. Axes keeps its
attempts in its own table (`axes.AccessAttempt`) for the cool-off period only; the account is stored there as a keyed
hash (`attempt_username`), never as the address typed, and successful logins are not recorded. An administrator
unlocks an account from the user admin (`login_unlock`) or deletes an address's attempts in the axes admin.
"""

import ipaddress
import logging
from functools import cache

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)


@cache
def _trusted_networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    """The client's address: the connection's (`REMOTE_ADDR`), unless the connection comes from a proxy named in
    `TRUSTED_PROXIES`; then the right-most address of `X-Forwarded-For` that is not one of our proxies (the left
    part of the header is whatever the client sent, so it is never believed)."""
    remote = request.META.get("REMOTE_ADDR") or None
    if not remote or not _is_trusted(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        try:
            ipaddress.ip_address(address)
        except ValueError:
            return remote  # a malformed header: keep the proxy's address rather than guess
        if not _is_trusted(address):
            return address
    return remote


def account_key(email: str) -> str:
    """What axes stores for an account: a hash of the address keyed by SECRET_KEY, so its table holds no address."""
    return salted_hmac("accounts.lockout", email.strip().lower(), algorithm="sha256").hexdigest()


def attempt_username(request, credentials) -> str | None:
    """`AXES_USERNAME_CALLABLE`: the account a login attempt is for, as `account_key`."""
    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get("username")
    return account_key(value) if value else None


def login_unlock(*, email: str) -> int:
    """Forget the failed logins on the account `email` from every address (an administrator's unlock). Returns how
    many attempt rows were deleted. An address locked for its failures on many accounts is unlocked in the axes
    admin ("Tentatives d'accès")."""
    from axes.models import AccessAttempt

    deleted, _ = AccessAttempt.objects.filter(username=account_key(email)).delete()
    return deleted


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for each lockout parameter: `AXES_LOCKOUT_PARAMETERS` is
    `[["username", "ip_address"], "ip_address"]`, limited by `LOGIN_FAILURES_PER_USER_AND_IP` (axes'
    `AXES_FAILURE_LIMIT`) and `LOGIN_FAILURES_PER_IP`. Axes compares one number with one limit: this returns the
    account's failures from this address, or at least the limit when the address is over its own."""

    def get_failures(self, request, credentials=None) -> int:
        per_account, per_ip = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if per_ip >= settings.LOGIN_FAILURES_PER_IP:
            return max(per_account, get_failure_limit(request, credentials))
        return per_account


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check before any password is compared. A login without a request (a script, the test client's
    `login()`) has no client address to count: it is not checked; every login through the site has one."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
