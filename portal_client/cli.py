"""``portal``: the command line for teams and CI pipelines (click for the commands, rich for output).

Exit codes: 0 done; 1 the portal refused the call (the message names why); 2 wrong usage;
3 the job or dataset waited for failed; 4 not signed in or not allowed; 5 the portal cannot be reached.
With ``--json`` the result goes to stdout as JSON and nothing else is printed there.
"""

import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.table import Table

from portal_client import rows
from portal_client.api import Client, Failed, PortalError

EXIT_REFUSED, EXIT_FAILED, EXIT_DENIED, EXIT_UNREACHABLE = 1, 3, 4, 5
err = Console(stderr=True)


def config_path() -> Path:
    default = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "ml-portal" / "client.json"
    return Path(os.environ.get("PORTAL_CLIENT_CONFIG", default))


def saved_config() -> dict:
    path = config_path()
    return json.loads(path.read_text()) if path.exists() else {}


class State:
    def __init__(self, url: str | None, token: str | None, as_json: bool):
        saved = saved_config()
        self.url = url or saved.get("url")
        self.token = token or saved.get("token")
        self.as_json = as_json

    def client(self) -> Client:
        if not self.url or not self.token:
            err.print(
                "Not signed in: run `portal login URL --token TOKEN` or set PORTAL_URL and PORTAL_TOKEN."
            )
            sys.exit(EXIT_DENIED)
        return Client(self.url, self.token)

    def done(self, result, human: str) -> None:
        if self.as_json:
            click.echo(json.dumps(result, indent=2, default=str))
        else:
            err.print(human)


def exit_for(error: PortalError) -> int:
    if isinstance(error, Failed):
        return EXIT_FAILED
    if error.status in (401, 403):
        return EXIT_DENIED
    return EXIT_UNREACHABLE if error.status == 0 else EXIT_REFUSED


class PortalGroup(click.Group):
    """Every command's PortalError becomes its message on stderr and the exit code above."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PortalError as error:
            if ctx.obj is not None and ctx.obj.as_json:
                click.echo(json.dumps({"error": str(error), "status": error.status, "body": error.body}))
            err.print(f"[red]Error:[/red] {error}", highlight=False)
            sys.exit(exit_for(error))
        except rows.BadRow as error:
            err.print(f"[red]Error in the CSV file:[/red] {error}", highlight=False)
            sys.exit(EXIT_REFUSED)


@click.group(cls=PortalGroup)
@click.option("--url", envvar="PORTAL_URL", help="The portal's address (default: from `portal login`).")
@click.option("--token", envvar="PORTAL_TOKEN", help="An API token (default: from `portal login`).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@click.pass_context
def main(ctx, url, token, as_json):
    """The ML portal from the command line."""
    ctx.obj = State(url, token, as_json)


@main.command()
@click.argument("url")
@click.option("--token", "login_token", required=True, help="An API token from the portal's Tokens page.")
@click.pass_obj
def login(state, url, login_token):
    """Check a token against the portal at URL and remember both for the next commands."""
    with Client(url, login_token) as client:
        client.call("GET", "teams/", params={"page_size": 1})
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps({"url": url.rstrip("/"), "token": login_token}))
    state.done({"url": url, "config": str(path)}, f"Signed in to {url}; saved in {path}.")


# --- datasets -----------------------------------------------------------------------------------
@main.group()
def datasets():
    """Upload datasets."""


@datasets.command("upload")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--team", required=True, help="Slug of the team that owns the dataset.")
@click.option("--name", required=True, help="Dataset name; an existing name gets a new version.")
@click.option("--description", default="")
@click.option("--wait/--no-wait", default=True, help="Wait until the worker has checked every row.")
@click.pass_obj
def dataset_upload(state, file, team, name, description, wait):
    """Upload a CSV FILE as the next version of a team's dataset."""
    with state.client() as client:
        with _progress(state, DownloadColumn(), TransferSpeedColumn()) as progress:
            task = progress.add_task(f"Uploading {file.name}", total=file.stat().st_size)
            dataset = client.dataset_upload(
                file,
                team=team,
                name=name,
                description=description,
                progress=lambda n: progress.advance(task, n),
            )
        if wait:
            dataset = _follow(
                state, lambda on_change: client.dataset_wait(dataset["id"], on_change=on_change)
            )
    state.done(
        dataset, f"Dataset #{dataset['id']} {dataset['name']} v{dataset['version']}: {dataset['status']}."
    )


# --- training jobs ------------------------------------------------------------------------------
@main.group()
def jobs():
    """Start and follow training jobs."""


def _parameters(pairs: tuple[str, ...]) -> dict:
    parameters = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--param")
        try:
            parameters[name] = json.loads(text)
        except ValueError:
            parameters[name] = text
    return parameters


@jobs.command("start")
@click.option("--dataset", "dataset_version", type=int, required=True, help="Dataset version id.")
@click.option("--target", required=True, help="The column to predict.")
@click.option("--estimator", required=True, help="A key of the estimator catalogue (/api/v1/estimators/).")
@click.option("--model", "registered_model", help="Slug of the registered model to add a version to.")
@click.option("--new-model", nargs=2, metavar="NAME SLUG", help="Register a new model for the result.")
@click.option("--feature", "features", multiple=True, help="A feature column (default: every other one).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="An estimator parameter.")
@click.option("--task", type=click.Choice(["classification", "regression"]))
@click.option("--cv-folds", type=int)
@click.option("--holdout-share", type=float)
@click.option("--seed", type=int)
@click.option(
    "--request",
    "model_request",
    type=click.IntRange(min=1),
    metavar="N",
    help="The accepted model request #N this job answers (it moves to in progress when the job starts).",
)
@click.option("--follow/--no-follow", default=True, help="Show the job's progress until it ends.")
@click.pass_obj
def job_start(state, new_model, features, params, follow, **fields):
    """Start a training job on a dataset version."""
    if bool(fields["registered_model"]) == bool(new_model):
        raise click.UsageError("Give either --model SLUG or --new-model NAME SLUG.")
    fields |= {"features": list(features) or None, "parameters": _parameters(params)}
    if new_model:
        fields["new_model"] = {"name": new_model[0], "slug": new_model[1]}
    with state.client() as client:
        job = client.job_start(**fields)
        if follow:
            job = _follow(state, lambda on_change: client.job_wait(job["id"], on_change=on_change))
    state.done(job, _job_summary(job))


@jobs.command("follow")
@click.argument("job_id", type=int)
@click.pass_obj
def job_follow(state, job_id):
    """Show a training job's progress until it ends (exit code 3 when it fails)."""
    with state.client() as client:
        job = _follow(state, lambda on_change: client.job_wait(job_id, on_change=on_change))
    state.done(job, _job_summary(job))


def _job_summary(job: dict) -> str:
    version = job.get("registered_version")
    kind = "Evaluation job" if job.get("kind") == "evaluate" else "Training job"
    summary = f"{kind} #{job['id']} {job['status']}"
    if job.get("model_request"):
        summary += f" for request #{job['model_request']}"
    if version:
        summary += f": {version['model']} v{version['number']} ({version['stage']})"
    metrics = job.get("metrics") or {}
    if metrics:
        summary += " · " + ", ".join(
            f"{k} {v:.3f}" for k, v in list(metrics.items())[:3] if isinstance(v, float)
        )
    return summary


# --- versions trained elsewhere ----------------------------------------------------------------
@main.group()
def versions():
    """Versions trained elsewhere: register them for evaluation by the portal."""


@versions.command("register")
@click.argument("model")
@click.argument("artefact", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dataset", "dataset_version", type=int, required=True, help="Dataset version id to judge it on."
)
@click.option("--target", required=True, help="The target column of that dataset.")
@click.option("--feature", "features", multiple=True, help="An input column, in the model's order.")
@click.option("--class", "classes", multiple=True, help="An ONNX graph's class label, in its order.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A training parameter.")
@click.option("--repository", "source_repository", help="The code repository that trained it.")
@click.option("--commit", "source_commit", help="Its commit.")
@click.option("--training-data", help="What it was trained on.")
@click.option("--framework", help="e.g. scikit-learn, PyTorch (ONNX: default the graph's producer).")
@click.option("--framework-version")
@click.option("--seed", type=int, help="Seed of the holdout split (default 42).")
@click.option("--holdout-share", type=float, help="Share of rows held out (default 0.2).")
@click.option("--wait/--no-wait", default=True, help="Follow the evaluation until it ends.")
@click.pass_obj
def version_register(state, model, artefact, features, classes, params, wait, **fields):
    """Register ARTEFACT (a skops pipeline or an ONNX model) as a version of MODEL; the portal scores
    it and the baselines on the dataset's holdout split (exit code 3 when the evaluation fails)."""
    fields |= {"features": list(features), "classes": list(classes), "parameters": _parameters(params)}
    with state.client() as client:
        job = client.external_version_register(artefact, model=model, **fields)
        if wait:
            job = _follow(state, lambda on_change: client.job_wait(job["id"], on_change=on_change))
    state.done(job, _job_summary(job))


# --- registry -----------------------------------------------------------------------------------
@main.command()
@click.argument("model")
@click.argument("version", type=int)
@click.option("--to", "to_stage", required=True, type=click.Choice(["staging", "production", "archived"]))
@click.option("--reason", required=True, help="Why; recorded in the stage history.")
@click.option("--override", is_flag=True, help="Platform staff only: promote despite failed gates.")
@click.pass_obj
def promote(state, model, version, to_stage, reason, override):
    """Move VERSION of MODEL to another stage (production checks the promotion gates)."""
    with state.client() as client:
        result = client.promote(model, version, to_stage=to_stage, reason=reason, override=override)
    state.done(result, f"{model} v{version} is now {result['stage']}.")


@main.command()
@click.argument("model")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--version", type=int, help="Version number (default: the production version).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the predictions here.")
@click.pass_obj
def predict(state, model, file, version, output):
    """Predict every row of a CSV FILE with MODEL; prints or writes one prediction per row."""
    with state.client() as client:
        number = version or client.call("GET", f"models/{model}/")["production_version"]
        if number is None:
            raise click.UsageError(f"{model} has no production version; give --version.")
        schema = client.version(model, number)["input_schema"]
        result = client.predict(model, rows.prediction_records(file, schema), version=number)
    if output:
        output.write_text(json.dumps(result, indent=2))
    if state.as_json:
        click.echo(json.dumps(result, indent=2))
    elif not output:
        table = Table("row", "prediction")
        for index, value in enumerate(result.get("predictions", []), start=1):
            table.add_row(str(index), str(value))
        Console().print(table)
    err.print(
        f"{len(result.get('predictions', []))} predictions by {model} v{result.get('version', number)}."
    )


# --- outcomes -----------------------------------------------------------------------------------
@main.group()
def observations():
    """Post KPI observations."""


@observations.command("post")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def observations_post(state, file):
    """Post the rows of a CSV FILE (columns kpi, time, value, and optionally volume, segment, model,
    version); all or nothing."""
    with state.client() as client:
        result = client.observations_post(rows.observation_rows(file))
    state.done(result, f"Saved {result['saved']} observations.")


@main.command()
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write it to this file.")
@click.option("--format", "output_format", type=click.Choice(["yaml", "json"]), default="yaml")
@click.pass_obj
def catalogue(state, output, output_format):
    """Export the catalogue as Backstage entities."""
    with state.client() as client:
        result = client.backstage(output=output_format)
    text = result if isinstance(result, str) else json.dumps(result, indent=2)
    if output:
        output.write_text(text)
        err.print(f"Wrote the catalogue to {output}.")
    else:
        click.echo(text)


# --- progress output ----------------------------------------------------------------------------
def _progress(state, *columns) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        *columns,
        console=err,
        disable=state.as_json,
        transient=True,
    )


def _follow(state, wait):
    """Run ``wait(on_change)`` with a progress bar that shows each status, stage and percentage."""
    with _progress(state, TextColumn("{task.percentage:>3.0f}%")) as progress:
        task = progress.add_task("Waiting", total=100)

        def on_change(item: dict) -> None:
            stage = item.get("stage") or item["status"]
            progress.update(
                task, completed=item.get("progress") or 0, description=f"{item['status']}: {stage}"
            )

        return wait(on_change)
