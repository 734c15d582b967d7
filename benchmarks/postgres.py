"""The PostgreSQL databases the benchmark scripts make, reuse and drop, named by the last
part of a database URL (postgres://user@host:port/NAME)."""

from __future__ import annotations

# scripts/benchmark_web's corpus at scale, which scripts/profile_crawl reads again.
WEB_BENCH = "explorer_web_bench"


def split_url(url: str) -> tuple[str, str]:
    """The URL of the same server's `postgres` database (to create and drop others from),
    and the database's name."""
    server, name = url.rsplit("/", 1)
    return f"{server}/postgres", name


def on_same_server(url: str, name: str) -> str:
    """The URL of another database on the server this URL names."""
    return url.rsplit("/", 1)[0] + "/" + name


def exists(url: str) -> bool:
    """Whether the database this URL names exists."""
    import psycopg

    admin_url, name = split_url(url)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found is not None


def create(url: str, *, replace: bool = False) -> bool:
    """Create the database this URL names unless it exists (or drop it first, `replace`);
    whether it was created."""
    import psycopg

    admin_url, name = split_url(url)
    if replace:
        drop(url)
    elif exists(url):
        return False
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return True


def drop(url: str) -> None:
    """Drop the database this URL names, if it exists, closing its connections."""
    import psycopg

    admin_url, name = split_url(url)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
