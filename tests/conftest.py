"""Shared fixtures: real report files, staff users, and imported inspections."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache

from inspections.permissions import CURATOR_GROUP

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "fixtures" / "reports"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Stored source documents go to a throwaway folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a rolled-back test database returns the data
    version to its old number, so a previous test's cached counts would otherwise apply."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("admin", "admin@example.org", "correct horse 123")


@pytest.fixture
def curator(db):
    user = User.objects.create_user(
        "curator", "curator@example.org", "correct horse 123", is_staff=True
    )
    user.groups.add(Group.objects.get(name=CURATOR_GROUP))
    return user
