"""gunicorn's settings for the explorer, read by `gunicorn explorer.wsgi` run from this
folder (command-line flags override them).

Threaded workers: a client that reads a download slowly holds one thread, not a whole
worker. With sync workers two slow readers of a CSV held both workers of a two-worker
server, /healthz stopped answering for 60 s, and gunicorn then killed the workers
mid-download for missing their heartbeat. Each thread has its own database connection:
allow workers times threads connections per server (PgBouncer in front, or max_connections).
"""

import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# gunicorn reads WEB_CONCURRENCY itself; this is its usual default of 2 per core + 1.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
timeout = 60
