"""OpenMP and BLAS threads per process, so processes sharing a machine do not oversubscribe its cores.

scikit-learn's OpenMP code (histogram gradient boosting, k-means) and numpy's BLAS start one thread per
core in every process. Two worker processes on two cores then run four spinning threads each, and a fit
that takes 0.3 s alone took a minute. A Celery worker tells this module how many pool processes it runs
(`portal/celery.py`); each pool process is limited to its share of the cores at start, and each training
job again while it runs (the limit is restored afterwards, so an in-process run leaves nothing behind).
"""

import os

from django.conf import settings
from threadpoolctl import threadpool_info, threadpool_limits

_processes_sharing_the_machine = 1


def set_process_count(processes) -> None:
    global _processes_sharing_the_machine
    _processes_sharing_the_machine = processes if isinstance(processes, int) and processes > 0 else 1


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def threads_per_process() -> int:
    """``settings.WORKER_THREADS`` when set, else this process's share of the cores (at least one)."""
    if settings.WORKER_THREADS > 0:
        return settings.WORKER_THREADS
    return max(1, available_cores() // _processes_sharing_the_machine)


def threads_in_force() -> int:
    """The most OpenMP/BLAS threads any loaded thread pool of this process may start now."""
    return max((pool["num_threads"] for pool in threadpool_info()), default=1)


def limit_threads(threads: int | None = None) -> threadpool_limits:
    """Limit OpenMP and BLAS threads to ``threads`` (this process's share unless given), never above a
    limit already in force; as a context manager it restores the previous limits on exit."""
    wanted = threads or threads_per_process()
    in_force = min((pool["num_threads"] for pool in threadpool_info()), default=wanted)
    return threadpool_limits(limits=min(wanted, in_force))
