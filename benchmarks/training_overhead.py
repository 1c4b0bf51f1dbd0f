"""Training platform overhead and worker memory.

1. End-to-end time of a training job (submit -> registered version, through a real Celery worker on
   the configured broker) against a direct scikit-learn ``fit`` of the same pipeline on the same
   100,000-row synthetic dataset (read the CSV, fit on the training split). Target: overhead < 15%.
2. Peak RSS of a training worker on a ~200 MB CSV (and of the uploading process, which streams it).

Run (PostgreSQL + Redis, as in CI; it creates and drops its own ``test_`` database):
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench
    export CELERY_BROKER_URL=redis://127.0.0.1:6379/5 PORTAL_VAR_DIR=$PWD/var/bench
    .venv/bin/python benchmarks/training_overhead.py [--rows 100000] [--repeats 3] [--big-mb 200]
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# One thread for the direct fit and the worker alike: on a shared machine, OpenMP threads fighting for
# cores swamp the difference being measured. Set OMP_NUM_THREADS yourself to compare multi-threaded.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files import File  # noqa: E402
from django.db import connection  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from apps.training import engine, services  # noqa: E402
from apps.training.estimators import build_estimator  # noqa: E402
from apps.training.models import JobStatus, TrainingJob  # noqa: E402
from apps.training.profiling import read_csv  # noqa: E402

ESTIMATOR = "hist_gradient_boosting"
PARAMETERS = {"max_iter": 100}
SEED = 42
HOLDOUT = 0.2


def write_synthetic_csv(path: Path, rows: int, *, numeric: int = 20, chunk: int = 100_000) -> Path:
    """A classification CSV written chunk by chunk (constant memory): numeric and categorical columns."""
    rng = np.random.default_rng(SEED)
    weights = rng.normal(size=numeric)
    header = [f"x{i}" for i in range(numeric)] + ["region", "segment", "label"]
    with path.open("w") as out:
        out.write(",".join(header) + "\n")
        for start in range(0, rows, chunk):
            size = min(chunk, rows - start)
            X = rng.normal(size=(size, numeric))
            region = rng.choice(["north", "south", "east", "west"], size)
            segment = rng.choice([f"s{i}" for i in range(12)], size)
            logit = X @ weights / 3 + (region == "north") * 0.5 + np.sin(X[:, 0] * X[:, 1])
            label = np.where(rng.random(size) < 1 / (1 + np.exp(-logit)), "yes", "no")
            lines = (
                ",".join(f"{v:.5f}" for v in X[i]) + f",{region[i]},{segment[i]},{label[i]}\n"
                for i in range(size)
            )
            out.writelines(lines)
    return path


def upload(path: Path, team, actor, name: str):
    with path.open("rb") as handle:
        uploaded = services.dataset_upload(
            actor=actor, team=team, name=name, file=File(handle, name=path.name), enqueue=False
        )
    return services.dataset_process(dataset_id=uploaded.pk)


TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of one process so far (/proc/<pid>/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def worker_cpu(worker) -> float:
    """CPU seconds of the worker's main process and its pool children (where a job runs)."""
    pid = worker.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return cpu_of(pid) + sum(cpu_of(int(child)) for child in children)


class Timed:
    """Wall and CPU seconds of a block (CPU: this process's, or ``cpu()`` when given)."""

    def __init__(self, cpu=time.process_time):
        self.cpu = cpu

    def __enter__(self):
        self.started, self.cpu_started = time.perf_counter(), self.cpu()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu_seconds = time.perf_counter() - self.started, self.cpu() - self.cpu_started


def direct_fit_seconds(dataset) -> float:
    """What a data scientist does by hand: read the CSV, build the same pipeline, fit it."""
    started = time.perf_counter()
    frame = read_csv(Path(settings.PLATFORM_STORAGE_ROOT) / dataset.storage_key)
    y = frame.pop("label")
    X_train, _, y_train, _ = train_test_split(frame, y, test_size=HOLDOUT, random_state=SEED, stratify=y)
    features = list(frame.columns)
    Pipeline(
        [
            ("preprocess", engine.build_preprocessor(dataset.schema, features)),
            ("model", build_estimator(ESTIMATOR, "classification", PARAMETERS, seed=SEED)),
        ]
    ).fit(X_train, y_train)
    return time.perf_counter() - started


def same_work_in_process_seconds(dataset) -> float:
    """The job's own computation (load, model and both baselines on the same split, holdout metrics)
    without the platform around it: no broker, no job row, no artefact, no registration."""
    started = time.perf_counter()
    features = [name for name in dataset.column_names if name != "label"]
    X, y = engine.load_frame(
        Path(settings.PLATFORM_STORAGE_ROOT) / dataset.storage_key,
        dataset.schema,
        features,
        "label",
        "classification",
    )
    spec = engine.TrainingSpec(
        target="label",
        features=features,
        task="classification",
        estimator=ESTIMATOR,
        parameters=PARAMETERS,
        cv_folds=0,
        holdout_share=HOLDOUT,
        seed=SEED,
    )
    engine.train(spec, dataset.schema, X, y, lambda *args: None)
    return time.perf_counter() - started


def create_job(dataset, model, actor, **overrides):
    """Submit the benchmark's job (committed, so the worker sees it)."""
    from django.db import transaction

    with transaction.atomic():
        return services.training_job_create(
            actor=actor,
            data={
                "dataset_version": dataset,
                "target": "label",
                "estimator": ESTIMATOR,
                "parameters": PARAMETERS,
                "cv_folds": 0,
                "holdout_share": HOLDOUT,
                "seed": SEED,
                "registered_model": model,
            }
            | overrides,
        )


def job_seconds(dataset, model, actor, **overrides) -> tuple[float, object]:
    """Submit -> registered version, polling the row like a client would."""
    started = time.perf_counter()
    job = create_job(dataset, model, actor, **overrides)
    row = TrainingJob.objects.filter(pk=job.pk).values_list("registered_version_id", "status")
    while True:  # a light poll (two columns) every 10 ms: ~5 ms late on average, on a ~2.5 s job
        version, status = row.get()
        if version or status in (JobStatus.FAILED, JobStatus.CANCELLED):
            break
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    while status == JobStatus.RUNNING:  # untimed: let its success and events finish before the next
        time.sleep(0.01)
        version, status = row.get()
    job.refresh_from_db()
    if job.status == JobStatus.FAILED:
        raise SystemExit(f"job failed: {job.error}")
    return elapsed, job


def verdict(ratio: float, limit: float) -> str:
    return "met" if ratio <= limit else "NOT met"


def peak_rss_mb_of_pool_children(worker) -> float:
    pid = worker.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    peaks = []
    for child in children:
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--big-mb", type=int, default=200, help="0 to skip the memory run")
    args = parser.parse_args()

    from tests.factories import MembershipFactory, TeamFactory, UserFactory  # noqa: PLC0415
    from tests.registry.factories import RegisteredModelFactory  # noqa: PLC0415
    from tests.worker import WorkerProcess  # noqa: PLC0415

    bench_dir = Path(settings.VAR_DIR) / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(f"database {name}, broker {settings.CELERY_BROKER_URL.split('@')[-1]}")
    try:
        team = TeamFactory()
        actor = UserFactory()
        MembershipFactory(team=team, user=actor, role="data_scientist")
        model = RegisteredModelFactory(owning_team=team, task="classification")

        csv = write_synthetic_csv(bench_dir / f"synthetic-{args.rows}.csv", args.rows)
        started = time.perf_counter()
        dataset = upload(csv, team, actor, "synthetic")
        seconds = time.perf_counter() - started
        print(f"upload of {csv.stat().st_size / 1e6:.1f} MB ({args.rows} rows): {seconds:.2f} s")

        worker = WorkerProcess(queues="training", concurrency=1).start()
        try:
            job_seconds(dataset, model, actor, parameters={"max_iter": 5})  # warm the pool child up
            direct, same, jobs = [], [], []
            direct_cpu, same_cpu, jobs_cpu, main_cpu = [], [], [], []
            for _ in range(args.repeats):  # interleaved, so load on the machine hits all three alike
                with Timed() as timed:
                    direct_fit_seconds(dataset)
                direct.append(timed.wall)
                direct_cpu.append(timed.cpu_seconds)
                with Timed() as timed:
                    same_work_in_process_seconds(dataset)
                same.append(timed.wall)
                same_cpu.append(timed.cpu_seconds)
                main_before = cpu_of(worker.process.pid)
                with Timed(cpu=lambda: worker_cpu(worker)) as timed:
                    _, job = job_seconds(dataset, model, actor)
                jobs.append(timed.wall)
                jobs_cpu.append(timed.cpu_seconds)
                main_cpu.append(cpu_of(worker.process.pid) - main_before)
            print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
            for label, values, cpus in (
                ("direct fit (read CSV + fit pipeline)", direct, direct_cpu),
                ("same work in-process (model + 2 baselines + holdout metrics)", same, same_cpu),
                ("job submit -> registered version (CPU: the worker's processes)", jobs, jobs_cpu),
            ):
                print(
                    f"{label}, median of {args.repeats}: wall {statistics.median(values):.2f} s "
                    f"{[round(v, 2) for v in values]}; CPU {statistics.median(cpus):.2f} s "
                    f"{[round(v, 2) for v in cpus]}"
                )
            verdicts = []
            for unit, (d_, w_, j_) in (
                ("wall", (direct, same, jobs)),
                ("CPU", (direct_cpu, same_cpu, jobs_cpu)),
            ):
                d, w, j = statistics.median(d_), statistics.median(w_), statistics.median(j_)
                # The rounds are interleaved, so a job and the direct fit beside it saw the same machine:
                # the median of per-round ratios is steadier than a ratio of medians when the load moves.
                paired = statistics.median(job / fit for job, fit in zip(j_, d_, strict=True))
                platform = statistics.median(job / same for job, same in zip(j_, w_, strict=True))
                print(
                    f"{unit}: job vs direct fit {100 * (paired - 1):+.1f}% paired, {100 * (j / d - 1):+.1f}% "
                    f"medians (target 10%); platform (job vs the same work) {100 * (platform - 1):+.1f}% "
                    f"paired, {100 * (j / w - 1):+.1f}% medians (target 5%)"
                )
                verdicts.append((unit, paired, platform))
            for unit, paired, platform in verdicts:  # the targets are on the paired ratios
                print(
                    f"VERDICT {unit}: job within 10% of a direct fit: {verdict(paired, 1.10)} "
                    f"({100 * (paired - 1):+.1f}%); platform within 5%: {verdict(platform, 1.05)} "
                    f"({100 * (platform - 1):+.1f}%)"
                )
            print(
                f"of the job's CPU, the worker's main process (broker, dispatch to the pool): median "
                f"{statistics.median(main_cpu):.3f} s {[round(v, 3) for v in main_cpu]}"
            )
            print(f"last job stage timings: {job.timings}")
        finally:
            worker.stop()

        if args.big_mb:
            rows = int(args.big_mb * 1e6 / 185)  # ~182 bytes per row
            big = bench_dir / f"synthetic-{args.big_mb}mb.csv"
            if not big.exists() or big.stat().st_size > settings.PORTAL_MAX_UPLOAD_BYTES:
                write_synthetic_csv(big, rows)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            started = time.perf_counter()
            big_dataset = upload(big, team, actor, "synthetic-big")
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"upload of {big.stat().st_size / 1e6:.0f} MB ({big_dataset.row_count} rows): "
                f"{time.perf_counter() - started:.1f} s, uploading process peak RSS {after:.0f} MB "
                f"(was {before:.0f} MB before)"
            )
            worker = WorkerProcess(queues="training", concurrency=1).start()
            try:
                elapsed, job = job_seconds(big_dataset, model, actor, parameters={"max_iter": 50})
                print(
                    f"job on {big_dataset.size_bytes / 1e6:.0f} MB: {elapsed:.1f} s; "
                    f"worker pool process peak RSS {peak_rss_mb_of_pool_children(worker):.0f} MB"
                )
                print(f"stage timings: {job.timings}")
            finally:
                worker.stop()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
