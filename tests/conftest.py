"""Shared fixtures: real report files, staff users, and imported inspections."""

from collections.abc import Iterator
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


# --- The seeds, imported once and shared ----------------------------------------------------
#
# Importing the five seed reports takes about 3 s, and a hundred tests read them without
# changing them for good. So they are imported once into an outer transaction that stays
# open while consecutive tests that ask for `seeds` run, each in its own savepoint (rolled
# back as usual); the first test that does not ask rolls the outer transaction back, so it
# sees the empty database it always did. Tests are ordered so that, within each module,
# those that ask for the seeds run together (pytest_collection_modifyitems below).


class SeededDatabase:
    """The outer transaction holding the imported seeds, while it is open."""

    def __init__(self, blocker, media_root: Path) -> None:
        self.blocker = blocker
        self.media_root = media_root
        self.atomic = None
        self.pks: list[int] = []

    def enter(self) -> None:
        if self.atomic is not None:
            return
        from django.db import connection, transaction
        from django.test.utils import override_settings

        from inspections import freshness

        from .seeds import ALL, import_seeds

        with self.blocker.unblock(), override_settings(MEDIA_ROOT=self.media_root):
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            pending = len(connection.run_on_commit)
            self.pks = [inspection.pk for inspection in import_seeds(*ALL)]
            # As in any test's transaction, the import's on-commit marks never run; drop
            # them so that the tests' own marks are pending as they would be alone. The
            # change is recorded as its commit would have: with the listing cells counted.
            del connection.run_on_commit[pending:]
            freshness.record_change_now(imported=True)

    def leave(self) -> None:
        if self.atomic is None:
            return
        from django.db import transaction

        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None
        cache.clear()


_seeded: SeededDatabase | None = None


@pytest.fixture(scope="session")
def _seeded_database(django_db_setup, django_db_blocker, tmp_path_factory):
    global _seeded
    _seeded = SeededDatabase(django_db_blocker, tmp_path_factory.mktemp("seeds-media"))
    yield _seeded
    _seeded.leave()  # before the test database goes
    _seeded = None


@pytest.fixture
def _seeds_state(request, _seeded_database) -> None:
    if "seeds" in request.fixturenames:
        assert "transactional_db" not in request.fixturenames, "seeds are read in a savepoint"
        _seeded_database.enter()
    else:
        _seeded_database.leave()


@pytest.fixture
def _django_db_helper(request, _seeds_state, _django_db_helper):
    """pytest-django's per-test database (a savepoint, or a flushed transactional one),
    opened inside the seeds' transaction for a test that asks for `seeds`, and after
    rolling it back for any other. (Overrides pytest-django's fixture of this name, which
    its django_db marker requests before any fixture of ours could run.)

    A test without the seeds starts with no listing cells current, whatever earlier tests
    in this process committed: its own records are counted once it records a change."""
    uses_database = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if uses_database and "seeds" not in request.fixturenames:
        from inspections.models import DataVersion

        DataVersion.objects.update(cells_version=0)
    yield


def _flushes(item: pytest.Item) -> bool:
    """Whether a test runs on a real transactional database, flushed when it ends."""
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or (
        "transactional_db" in item.fixturenames
    )


_flushed = False  # a transactional test has emptied the tables since the data was restored


def _restore_migrated_data(item: pytest.Item) -> None:
    """Put back what the migrations wrote (authorities, regions, themes, groups), as
    serialized when the test database was made. pytest-django runs transactional tests
    last, so alone this never happens; run in parallel (pytest-xdist), a worker's next
    test may follow one."""
    from django.core import serializers
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    from inspections.models import DataVersion, ListingCell

    with item.config.stash[blocking_manager_key].unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)
                # Setting the restored links counted as a change of data: the data
                # version goes back to the number the migrations left.
                for row in serializers.deserialize("json", contents, using=alias):
                    if isinstance(row.object, DataVersion):
                        row.save()
                # Nor are there listing cells of the data a test's transaction will hold:
                # none are current until a change is recorded (the restore itself was
                # recorded as one, with cells counted for the restored data alone).
                ListingCell.objects.using(alias).all().delete()
                DataVersion.objects.using(alias).update(cells_version=0)


def pytest_runtest_setup(item: pytest.Item) -> None:
    global _flushed
    # Before any fixture: a test that does not read the seeds (the browser tests' live
    # server, a transactional test) never runs inside their transaction.
    if _seeded is not None and "seeds" not in item.fixturenames:
        _seeded.leave()
    if _flushes(item):
        _flushed = True  # (a transactional test with serialized_rollback restores itself)
    elif _flushed:
        _restore_migrated_data(item)
        _flushed = False


@pytest.hookimpl(trylast=True)  # after pytest-django's order (and pytest-randomly's)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """In each run of consecutive tests from one module, those that read the seeds first.

    Only within runs: pytest-django has put the transactional tests after the others, and
    that order must stand (a transactional test leaves the database empty)."""
    runs: list[list[pytest.Item]] = []
    for item in items:
        if runs and runs[-1][0].path == item.path:
            runs[-1].append(item)
        else:
            runs.append([item])
    items[:] = [
        item
        for run in runs
        for item in sorted(run, key=lambda item: "seeds" not in item.fixturenames)
    ]


@pytest.fixture
def seeds(_seeded_database, settings) -> Iterator[list]:
    """The five seed reports, imported by the real importer (tests/seeds.py's ALL order)."""
    from django.db import connection

    from inspections.models import Inspection

    settings.MEDIA_ROOT = _seeded_database.media_root
    by_pk = Inspection.objects.in_bulk(_seeded_database.pks)
    yield [by_pk[pk] for pk in _seeded_database.pks]
    # Say so here rather than through every later test's failure.
    assert not connection.closed_in_transaction, (
        "This test closed the database connection (a response closed after the test "
        "client had closed it?), which loses the seeds' shared transaction."
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--update-golden` rewrites the importer's golden files (tests/importer/golden/)
    from the parser as it is, so a parser change is reviewed as their diff."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/importer/golden/ from the current parser instead of comparing",
    )
