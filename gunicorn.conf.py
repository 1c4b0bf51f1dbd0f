"""gunicorn settings of the web process; the Dockerfile and docker-compose.yml start gunicorn with this
file (`gunicorn -c gunicorn.conf.py`). Every value can be overridden by the environment.

- ``gthread`` workers: each process serves ``threads`` requests at once and keeps connections alive,
  so a prediction client reuses its TCP connection, and a slow client (a 200 MB upload on a slow
  link) holds one thread, not a whole process. The arbiter's ``timeout`` only fires when a process
  stops answering, not while a thread reads a long upload.
- ``max_requests`` with jitter restarts each process after tens of thousands of requests, one at a
  time: a second line of defence against slow memory growth, not the fix for it (the soak measures
  workers flat after their first minute). At 5,000 a busy prediction service restarted each process
  every ~10 s, dropping its kept-alive connections and warming a new one up while clients waited.
"""

import contextlib
import ctypes
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
max_requests = env_int("GUNICORN_MAX_REQUESTS", 50000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 5000)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# Heartbeat files in memory, not on a container's overlay file system.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# glibc gives each thread that allocates its own malloc arena (up to 8 per core), and each arena keeps
# its high-water mark: with 4 threads per worker that was 15-20 MB per worker in the soak's first
# minute, 9-15 MB with 2 arenas (benchmarks/README.md, "Soak"). Set here, in the arbiter before it
# forks, it holds for every worker however gunicorn is started; MALLOC_ARENA_MAX in the environment
# wins.
malloc_arena_max = env_int("MALLOC_ARENA_MAX", 2)
if "MALLOC_ARENA_MAX" not in os.environ:
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl, macOS): nothing to set
        ctypes.CDLL("libc.so.6").mallopt(-8, malloc_arena_max)  # -8: M_ARENA_MAX


def post_worker_init(worker):
    """Each worker loads what it will serve before its first request (portal/warmup.py)."""
    if os.environ.get("GUNICORN_WARMUP", "1") != "0":
        from portal.warmup import warm_web_worker

        warm_web_worker()


if os.environ.get("GUNICORN_MEMORY_TRACE"):
    # Diagnosis only: after each request, log the worker's RSS change and the modules it imported.
    import resource
    import sys

    def _rss_mb() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 1024 / 1024

    def pre_request(worker, req):
        worker.memory_trace = (set(sys.modules), _rss_mb())

    def post_request(worker, req, environ, resp):
        modules, rss = worker.memory_trace
        new = sorted(set(sys.modules) - modules)
        roots = sorted({name.split(".")[0] for name in new})
        worker.log.info(
            "memory-trace %s %s: %+.1f MB -> %.1f MB, %d modules imported %s",
            req.method,
            req.path,
            _rss_mb() - rss,
            _rss_mb(),
            len(new),
            roots[:30],
        )
