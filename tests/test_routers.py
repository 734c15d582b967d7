"""A read replica (DATABASE_REPLICA_URL): public reads go to it, everything else does not.

The replica is configured the way production configures it, from the environment, so the
check runs in a fresh process pointed at a fresh database twice: as `default` and as
`replica`. Both names reach the same data, committed for real (a test transaction would
hide it from the second connection), as a replica receives it by replication.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from explorer.routers import PRIMARY, REPLICA, ReplicaRouter, replica_reads

from .conftest import ROOT

pytestmark = pytest.mark.slow  # real processes: a server and a replica

CHECK = r"""
import json, sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

call_command("migrate", verbosity=0)
settings.MEDIA_ROOT = sys.argv[1]
from tests.seeds import NORTH_SOMERSET_2017, import_seeds

(inspection,) = import_seeds(NORTH_SOMERSET_2017)  # the importer locks rows: primary only
staff = User.objects.create_superuser("admin", "admin@example.org", "correct horse 123")
client = Client()


def queries(request):
    with CaptureQueriesContext(connections["default"]) as primary:
        with CaptureQueriesContext(connections["replica"]) as replica:
            status = request()
    return {"status": status, "primary": len(primary), "replica": len(replica)}


def download():
    response = client.get("/findings/?format=csv")
    return response.status_code if b"".join(response.streaming_content) else 0


results = {
    "home": queries(lambda: client.get("/").status_code),
    "findings": queries(lambda: client.get("/findings/?theme=neglect").status_code),
    "inspection": queries(lambda: client.get(inspection.get_absolute_url()).status_code),
    "download": queries(download),
    "post": queries(lambda: client.post("/findings/").status_code),
}
client.force_login(staff)
results["admin"] = queries(
    lambda: client.get("/admin/inspections/inspection/%d/change/" % inspection.pk).status_code
)
print(json.dumps(results))
"""


@pytest.fixture
def replica_database_url(tmp_path):
    """A fresh, empty database of the kind the suite runs on, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'replicated.sqlite3'}"
        return
    settings = connection.settings_dict
    name = f"{settings['NAME']}_replica_{uuid.uuid4().hex[:8]}"
    server = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_public_reads_use_the_replica_and_all_else_the_primary(replica_database_url, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": replica_database_url,
        "DATABASE_REPLICA_URL": replica_database_url,
    }
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path / "media")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    for page in ["home", "findings", "inspection", "download"]:
        assert counts[page]["status"] == 200, (page, counts[page])
        assert counts[page]["replica"] > 0 and counts[page]["primary"] == 0, (page, counts[page])
    assert counts["post"] == {"status": 405, "primary": 0, "replica": 0}
    assert counts["admin"]["status"] == 200
    assert counts["admin"]["replica"] == 0 and counts["admin"]["primary"] > 0


def test_the_router_reads_from_the_replica_only_when_asked():
    router = ReplicaRouter()
    assert router.db_for_read(None) == PRIMARY
    with replica_reads():
        assert router.db_for_read(None) == REPLICA
        assert router.db_for_write(None) == PRIMARY
    assert router.db_for_read(None) == PRIMARY
    assert router.allow_migrate(PRIMARY, "inspections") is True
    assert router.allow_migrate(REPLICA, "inspections") is False
