"""Admin log-in throttling: after LOGIN_FAILURE_LIMIT failed log-ins for one username from
one address within LOGIN_LOCKOUT_SECONDS, that pair is locked out for as long.

- The username is read as authentication reads it (Django's UsernameField: stripped, then
  NFKC-normalised), and then case-folded, so the full-width or mathematical-bold
  look-alikes of "admin", which log in as "admin", are counted and refused as "admin".
- The counts and locks live in the database (LoginAttempts), not in the cache: the page
  cache can evict nothing of theirs, a cache outage cannot open or break the log-in, and
  every worker and server counts the same failures.
- Failures are counted from Django's user_login_failed signal and a success clears them;
  the middleware refuses a locked pair with 429 before any password is checked.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.forms import UsernameField
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from .models import LoginAttempts

LOCKED_OUT = (
    "Too many failed log-in attempts for this username from your network. "
    "For your security, logging in as this user from here is paused until %(until)s "
    "(%(minutes)s minutes). If you have forgotten your password, ask an administrator "
    "to reset it."
)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or as the trusted proxies in front report it.

    With TRUSTED_PROXY_COUNT proxies in front, the address is the one the outermost of
    them saw, counted from the right of X-Forwarded-For (the left part is the client's
    to write, so it is never trusted).
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def normalise_username(username: str) -> str:
    """The username as authentication will read it, case-folded: every look-alike that logs
    in as one user is counted as that user."""
    return (UsernameField().to_python(username) or "").casefold()


def attempts_key(username: str, request: HttpRequest) -> str:
    """Names one username (however typed) from one address; a digest, so no username or
    address is stored in clear."""
    pair = f"{normalise_username(username)}|{client_ip(request)}"
    return hashlib.sha256(pair.encode()).hexdigest()


def locked_until(username: str, request: HttpRequest) -> datetime.datetime | None:
    """When the lock on this username from this address lifts, or None if there is none."""
    return (
        LoginAttempts.objects.filter(
            key=attempts_key(username, request), locked_until__gt=timezone.now()
        )
        .values_list("locked_until", flat=True)
        .first()
    )


def record_failure(username: str, request: HttpRequest) -> None:
    """Count a failed log-in; the LOGIN_FAILURE_LIMIT-th within the window locks the pair."""
    now = timezone.now()
    window = datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    key = attempts_key(username, request)
    with transaction.atomic():
        # Forget what has lapsed, so the table holds only live counts and locks.
        LoginAttempts.objects.filter(
            Q(window_started_at__lte=now - window),
            Q(locked_until__isnull=True) | Q(locked_until__lte=now),
        ).delete()
        attempts, _ = LoginAttempts.objects.select_for_update().get_or_create(
            key=key, defaults={"window_started_at": now}
        )
        attempts.failures += 1
        if attempts.failures >= settings.LOGIN_FAILURE_LIMIT:
            attempts.failures = 0
            attempts.window_started_at = now
            attempts.locked_until = now + window
        attempts.save()


def forget_failures(username: str, request: HttpRequest) -> None:
    """A successful log-in clears the failures counted against it."""
    LoginAttempts.objects.filter(key=attempts_key(username, request)).delete()


@receiver(user_login_failed, dispatch_uid="inspections.login_throttle.failed")
def _count_failure(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    if request is not None:
        record_failure(str(credentials.get("username", "")), request)


@receiver(user_logged_in, dispatch_uid="inspections.login_throttle.succeeded")
def _forget_failures(sender, request: HttpRequest | None = None, user=None, **kwargs):
    if request is not None and user is not None:
        forget_failures(user.get_username(), request)


class _LockedOutForm(AdminAuthenticationForm):
    """The admin's login form, refusing before any password is checked."""

    def __init__(self, *args, until: datetime.datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.until = until

    def clean(self):
        minutes = max(1, round((self.until - timezone.now()).total_seconds() / 60))
        until = timezone.localtime(self.until)
        raise ValidationError(
            LOCKED_OUT, code="locked_out", params={"until": f"{until:%H:%M}", "minutes": minutes}
        )


class AdminLoginThrottleMiddleware:
    """Refuses admin log-ins for a locked-out username and address, with 429."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == reverse("admin:login"):
            username = request.POST.get("username", "")
            until = locked_until(username, request)
            if until is not None:
                return self._locked_out(request, username, until)
        return self.get_response(request)

    @staticmethod
    def _locked_out(request: HttpRequest, username: str, until: datetime.datetime):
        form = _LockedOutForm(
            request, data={"username": username[:150], "password": "-"}, until=until
        )
        form.is_valid()  # fills in the refusal
        context = {
            **admin.site.each_context(request),
            "title": "Log in",
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
            "form": form,
            REDIRECT_FIELD_NAME: request.POST.get(REDIRECT_FIELD_NAME, ""),
        }
        response = TemplateResponse(request, "admin/login.html", context, status=429).render()
        seconds = (until - timezone.now()).total_seconds()
        response["Retry-After"] = str(max(1, int(seconds)))
        return response
