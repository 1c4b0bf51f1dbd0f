"""Training jobs per minute with one and with two worker processes on this machine (issue "Fast everywhere").

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://.../N PORTAL_VAR_DIR=$PWD/var/bench \
        .venv/bin/python benchmarks/training_scaling.py [--rows 20000] [--jobs 8] [--rounds 2]

Creates a throwaway test database, uploads a synthetic CSV (``training_overhead.py``'s), then per round
starts a real ``celery worker -Q training`` with ``--concurrency=1`` and, right after, one with
``--concurrency=2`` (alternating which goes first), submits ``--jobs`` histogram-gradient-boosting
jobs at once to each and times submit -> the last registered version. Each worker limits OpenMP/BLAS
threads to its pool processes' share of the cores (``apps.core.threads``); OpenMP is left at one
thread per core as a plain install has it, so the single process may use both cores. Prints jobs per
minute per configuration and the ratio; target: two processes at least 1.7x one. Prints the load
average: on a machine shared with other work a second process also takes a larger share of the CPU.
"""

import argparse
import os
import statistics
import time

from django.conf import settings
from django.db import connection

# training_overhead (its CSV writer and job submission) calls django.setup() when imported.
from training_overhead import create_job, upload, write_synthetic_csv

from apps.core.threads import available_cores
from apps.training.models import JobStatus, TrainingJob


def submit(dataset, model, actor, count: int, parameters: dict) -> list[int]:
    return [create_job(dataset, model, actor, parameters=parameters).pk for _ in range(count)]


def wait_for(ids: list[int], timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = TrainingJob.objects.filter(pk__in=ids)
        failed = jobs.filter(status=JobStatus.FAILED).values_list("error", flat=True).first()
        if failed is not None:
            raise SystemExit(f"a job failed: {failed}")
        if jobs.filter(registered_version__isnull=False).count() == len(ids):
            return
        time.sleep(0.1)
    raise SystemExit(f"jobs not done within {timeout} s")


def jobs_per_minute(worker_class, concurrency: int, dataset, model, actor, args) -> float:
    cores = str(available_cores())
    worker = worker_class(queues="training", concurrency=concurrency, extra_env={"OMP_NUM_THREADS": cores})
    worker.start()
    try:
        wait_for(submit(dataset, model, actor, concurrency, {"max_iter": 5}))  # each pool process warm
        started = time.perf_counter()
        wait_for(submit(dataset, model, actor, args.jobs, {"max_iter": args.iterations}))
        return args.jobs / ((time.perf_counter() - started) / 60)
    finally:
        worker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--iterations", type=int, default=100, help="boosting iterations per job")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from tests.factories import MembershipFactory, TeamFactory, UserFactory  # noqa: PLC0415
    from tests.registry.factories import RegisteredModelFactory  # noqa: PLC0415
    from tests.worker import WorkerProcess  # noqa: PLC0415

    bench_dir = settings.VAR_DIR / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        team = TeamFactory()
        actor = UserFactory()
        MembershipFactory(team=team, user=actor, role="data_scientist")
        model = RegisteredModelFactory(owning_team=team, task="classification")
        dataset = upload(write_synthetic_csv(bench_dir / f"scaling-{args.rows}.csv", args.rows), team, actor,
                         "synthetic")  # fmt: skip
        rates: dict[int, list[float]] = {1: [], 2: []}
        for round_number in range(args.rounds):
            order = (1, 2) if round_number % 2 == 0 else (2, 1)
            for concurrency in order:
                load = os.getloadavg()[0]
                rate = jobs_per_minute(WorkerProcess, concurrency, dataset, model, actor, args)
                rates[concurrency].append(rate)
                print(f"round {round_number + 1}, {concurrency} process(es): {rate:.1f} jobs/min "
                      f"(load average {load:.2f} -> {os.getloadavg()[0]:.2f})")  # fmt: skip
        one, two = statistics.median(rates[1]), statistics.median(rates[2])
        paired = statistics.median(b / a for a, b in zip(rates[1], rates[2], strict=True))
        print(f"{args.jobs} jobs of {args.rows} rows on {available_cores()} cores: one process {one:.1f}, "
              f"two {two:.1f} jobs/min; two/one {two / one:.2f}x (median of per-round ratios "
              f"{paired:.2f}x; target 1.7x)")  # fmt: skip
        print(f"VERDICT two training workers at least 1.7x the jobs per minute of one (paired): "
              f"{'met' if paired >= 1.7 else 'NOT met'} ({paired:.2f}x)")  # fmt: skip
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
