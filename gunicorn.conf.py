"""gunicorn settings of the web process; the Dockerfile and docker-compose.yml start gunicorn with this
file (`gunicorn -c gunicorn.conf.py`). Every value can be overridden by the environment.

- ``gthread`` workers: each process serves ``threads`` requests at once and keeps connections alive,
  so a prediction client reuses its TCP connection, and a slow client (a 200 MB upload on a slow
  link) holds one thread, not a whole process. The arbiter's ``timeout`` only fires when a process
  stops answering, not while a thread reads a long upload.
- ``max_requests`` with jitter restarts each process after a few thousand requests, one at a time: a
  second line of defence against slow memory growth, not the fix for it.
"""

import os


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


wsgi_app = "portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = env_int("GUNICORN_WORKERS", 3)
worker_class = "gthread"
threads = env_int("GUNICORN_THREADS", 4)
# A process silent this long is killed and replaced (a thread busy with an upload does not count).
timeout = env_int("GUNICORN_TIMEOUT", 120)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
max_requests = env_int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 500)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# Heartbeat files in memory, not on a container's overlay file system.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
