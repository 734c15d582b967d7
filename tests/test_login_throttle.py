"""Admin log-in throttling (inspections/login_throttle.py): five failures lock one username
from one address out, however the username is typed, and nothing the public site does to
the cache can lift the lock."""

from __future__ import annotations

import time
import unicodedata

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from inspections.login_throttle import normalise_username
from inspections.models import LoginAttempts

pytestmark = pytest.mark.django_db

RIGHT = "correct horse 123"


def log_in(client: Client, username: str, password: str, **extra):
    login = reverse("admin:login")
    return client.post(
        login, {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def lock_out(client: Client, username: str = "admin") -> None:
    for _ in range(5):
        response = log_in(client, username, "wrong password")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()


def full_width(text: str) -> str:
    """ａｄｍｉｎ: the look-alike in the full-width forms block."""  # noqa: RUF002
    return "".join(chr(ord(c) - 0x21 + 0xFF01) if "!" <= c <= "~" else c for c in text)


def mathematical_bold(text: str) -> str:
    """𝐚𝐝𝐦𝐢𝐧: the look-alike in the mathematical alphanumeric symbols block."""  # noqa: RUF002
    return "".join(chr(0x1D41A + ord(c) - ord("a")) if "a" <= c <= "z" else c for c in text)


LOOK_ALIKES = [full_width, mathematical_bold]


def test_the_look_alikes_are_other_strings_that_authentication_reads_as_admin():
    for look_alike in LOOK_ALIKES:
        typed = look_alike("admin")
        assert typed != "admin"
        assert unicodedata.normalize("NFKC", typed) == "admin"
        assert normalise_username(typed) == "admin"


def test_five_failures_lock_a_username_out_from_that_address(client, superuser):
    lock_out(client)
    locked = log_in(client, "admin", RIGHT)  # even the right password
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed log-in attempts for this username" in page
    assert "15 minutes" in page
    assert 'id="login-form"' in page  # the admin's own log-in page, with the reason
    assert 840 <= int(locked["Retry-After"]) <= 900
    assert "_auth_user_id" not in client.session
    # Another address may still log in as that user (the lock is per username and address).
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert log_in(other, "admin", RIGHT).status_code == 302


@pytest.mark.parametrize("look_alike", LOOK_ALIKES, ids=lambda f: f.__name__)
def test_failures_typed_as_look_alikes_count_against_the_user(client, superuser, look_alike):
    for _ in range(5):
        log_in(client, look_alike("admin"), "wrong password")
    assert log_in(client, "admin", RIGHT).status_code == 429
    assert log_in(client, look_alike("admin"), RIGHT).status_code == 429


@pytest.mark.parametrize("look_alike", LOOK_ALIKES, ids=lambda f: f.__name__)
def test_a_look_alike_cannot_log_in_while_the_user_is_locked(client, superuser, look_alike):
    lock_out(client)
    refused = log_in(client, look_alike("admin"), RIGHT)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert log_in(client, look_alike("ADMIN"), RIGHT).status_code == 429


def test_the_username_is_matched_however_it_is_typed(client, superuser):
    for name in ["admin", "ADMIN", " Admin", "admin ", "aDmin"]:
        log_in(client, name, "wrong password")
    assert log_in(client, "admin", RIGHT).status_code == 429


def test_emptying_the_cache_does_not_lift_a_lock(client, superuser):
    """The page cache once held the locks: 250 anonymous requests evicted one."""
    lock_out(client)
    for n in range(300):
        cache.set(f"filler-{n}", "x" * 100)
    cache.clear()
    assert log_in(client, "admin", RIGHT).status_code == 429


def test_every_worker_sees_the_same_count(client, superuser):
    """The count is in the database: what one process records, all of them read."""
    for _ in range(4):
        log_in(client, "admin", "wrong password")
    assert LoginAttempts.objects.get().failures == 4
    log_in(client, "admin", "wrong password")
    attempts = LoginAttempts.objects.get()
    assert attempts.locked_until is not None and attempts.failures == 0


def test_other_usernames_from_the_same_address_are_not_locked(client, superuser):
    lock_out(client, "someone-else")
    assert log_in(client, "someone-else", "guess").status_code == 429
    assert log_in(client, "admin", RIGHT).status_code == 302


def test_a_success_forgets_earlier_failures(client, superuser):
    for _ in range(4):
        log_in(client, "admin", "wrong password")
    assert log_in(client, "admin", RIGHT).status_code == 302
    assert not LoginAttempts.objects.exists()
    client.logout()
    for _ in range(4):
        log_in(client, "admin", "wrong password")
    assert log_in(client, "admin", RIGHT).status_code == 302


def test_the_lock_lifts_after_the_lockout_period(client, superuser, settings):
    for _ in range(4):
        log_in(client, "admin", "wrong password")
    settings.LOGIN_LOCKOUT_SECONDS = 1  # the lock set by the fifth failure lasts a second
    log_in(client, "admin", "wrong password")
    assert log_in(client, "admin", RIGHT).status_code == 429
    time.sleep(1.5)
    assert log_in(client, "admin", RIGHT).status_code == 302


def test_lapsed_counts_are_forgotten(client, superuser, settings):
    settings.LOGIN_LOCKOUT_SECONDS = 1
    for _ in range(4):
        log_in(client, "admin", "wrong password")
    time.sleep(1.5)
    log_in(client, "someone-else", "guess")  # any failure clears what has lapsed
    assert list(LoginAttempts.objects.values_list("failures", flat=True)) == [1]
    for _ in range(4):
        log_in(client, "admin", "wrong password")
    assert log_in(client, "admin", RIGHT).status_code == 302  # four in the new window


def test_behind_proxies_the_address_is_the_one_they_saw(superuser, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    for n in range(5):
        # Whatever the client writes to the left of the proxy's entry is ignored.
        log_in(attacker, "admin", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9")
    assert log_in(attacker, "admin", RIGHT).status_code == 429
    colleague = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert log_in(colleague, "admin", RIGHT).status_code == 302


def test_no_username_or_address_is_stored_in_clear(client, superuser):
    log_in(client, "admin", "wrong password")
    (key,) = LoginAttempts.objects.values_list("key", flat=True)
    assert "admin" not in key and "127.0.0.1" not in key and len(key) == 64
