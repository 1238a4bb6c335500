"""Staff commands for the supplier index versions: ``flask --app webapp index ...``.

``rebuild`` builds a new version beside the served one, scores it on the
labelled buyer queries and promotes it only if nDCG@10 did not fall by more
than a tolerance; ``status``, ``list``, ``rollback``, ``unpin`` and ``prune``
look after the versions kept in ``INDEX_DIR/versions``. A promotion is one atomic rename
of ``INDEX_DIR/CURRENT``; web workers already running keep the version they
loaded until their change follower swaps the new one in (seconds).
"""

from __future__ import annotations

from datetime import date

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from recommender.domain_eval import LABELS_AS_OF
from recommender.resources import corpus_file
from recommender.serving.rebuild import REBUILD_JOB, JobBusyError, describe_run, recent_runs
from recommender.store.leases import lease_info
from recommender.store.models import IndexRun, RunStatus
from recommender.versions import (
    DEFAULT_TOLERANCE,
    GATE_METRIC,
    IndexVersion,
    UnsafeVersionError,
    VersionNotFoundError,
)

from .catalog import get_catalog
from .jobs import run_rebuild

STATUS_RUNS = 5
"""Runs ``index status`` lists."""

index_cli = AppGroup("index", help="Look after the supplier search index versions: rebuild "
                     "with a quality check, see which version is served, list, roll back, "
                     "prune. Run `flask --app webapp index COMMAND --help` for each.")

RESTART_NOTE = ("web workers already running swap the new version in within seconds (their "
                "change followers notice it)")


UNCHECKED = "not checked (being evaluated, or left by a stopped rebuild: never served)"


def _metric(version: IndexVersion) -> str:
    if not version.metrics or GATE_METRIC not in version.metrics:
        return "-"
    return f"{version.metrics[GATE_METRIC]:.2f}"


def _describe(label: str, version: IndexVersion | None) -> str:
    if version is None:
        return f"{label}: none"
    return (f"{label}: {version.version_id}  built {version.built_at} in "
            f"{version.duration_s:.1f} s, {version.profile_count} profiles, model "
            f"{version.model_id}, {GATE_METRIC} {_metric(version)}")


@index_cli.command("rebuild", help="Build a new index version from the stored profiles, "
                   "score it on the labelled buyer queries and promote it only if nDCG@10 "
                   "fell by no more than --tolerance points below the served version. A "
                   "refused version is kept (see `index list`) and can be promoted later with "
                   "`index rollback VERSION --force`. While staff have pinned a version by "
                   "a rollback, a rebuild without --force builds and checks a new version "
                   "but does not promote it (see `index unpin`). Only one rebuild runs at a "
                   "time; a second one "
                   "exits with status 1 and says who holds the lock (a lease in the database, "
                   "so this holds across hosts too). Unchanged profile texts are not encoded "
                   "again (embedding cache). Unless --no-learn, the ranking weights are tuned "
                   "on buyers' contacts and shortlists of logged searches and used only if "
                   "held-apart searches improve and the labelled queries do not get worse; "
                   "the command prints what was learned. Every run is recorded: see `index "
                   "status`. " + RESTART_NOTE + ".")
@click.option("--force", is_flag=True, help="promote even if the quality check fails")
@click.option("--tolerance", type=click.FloatRange(min=0), default=DEFAULT_TOLERANCE,
              show_default=True, help="nDCG@10 points the new version may lose")
@click.option("--queries", type=click.Path(exists=True, dir_okay=False),
              default=str(corpus_file("buyer_queries.jsonl")), show_default=True,
              help="labelled buyer queries (JSON lines)")
@click.option("--qrels", type=click.Path(exists=True, dir_okay=False),
              default=str(corpus_file("buyer_qrels.tsv")), show_default=True,
              help="graded judgements (TSV)")
@click.option("--as-of", "as_of", default=LABELS_AS_OF, show_default=True,
              help="date certificates are checked on (the labels' date)")
@click.option("--learn/--no-learn", default=True, show_default=True,
              help="tune the ranking weights on the interaction log")
def rebuild_command(force: bool, tolerance: float, queries: str, qrels: str,
                    as_of: str, learn: bool) -> None:
    try:
        day = date.fromisoformat(as_of)
    except ValueError as exc:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {as_of}") from exc
    run = rebuild_and_report("cli", force=force, tolerance=tolerance, queries=queries,
                             qrels=qrels, as_of=day, learn=learn)
    if run.status != RunStatus.PROMOTED:
        raise SystemExit(1)


def rebuild_and_report(trigger: str, **options) -> IndexRun:
    """Run a rebuild of the app's catalog (:mod:`recommender.serving.rebuild`) and say
    what happened."""
    try:
        run = run_rebuild(current_app._get_current_object(), trigger, **options)
    except JobBusyError as exc:
        raise click.ClickException(f"rebuild did not start: {exc}") from exc
    if run.status == RunStatus.FAILED:
        raise click.ClickException(f"rebuild failed (run #{run.id}): {run.message}")
    click.echo(run.message)
    if run.status == RunStatus.PROMOTED:
        click.echo(RESTART_NOTE)
    return run


def _decision_line(model: dict | None) -> str:
    cal = (model or {}).get("calibration")
    if not cal:
        why = (model or {}).get("not_fitted") or "not fitted for this version"
        return f"the shipped one ({why})"
    banner = cal["gap_banner"]
    return (f"fitted on this version's labels: Brier {cal['brier']:.3f} on {cal['queries']} "
            f"held-apart queries (base rate {cal['brier_base_rate']:.3f}); no-good-match "
            f"banner precision {banner['precision']:.2f}, recall {banner['recall']:.2f}")


@index_cli.command("status", help="Show the promoted (CURRENT) version and whether staff "
                   "pinned it by a rollback, the one before it, "
                   "the version this process serves if it differs (a damaged CURRENT is "
                   "replaced by the newest older valid version), unfinished builds, a running "
                   "rebuild, the latest load errors, and the last rebuild runs from the "
                   "database (when, trigger, outcome, duration, profiles, texts embedded, "
                   "nDCG@10, version, reason). With --verify the current version's files are "
                   "checked against their checksums now.")
@click.option("--verify", is_flag=True, help="load the served version, checking checksums")
def status_command(verify: bool) -> None:
    catalog = get_catalog()
    store = catalog.store
    if verify:
        from recommender.config import RetrievalConfig

        config = RetrievalConfig.from_env()
        store.load_current(catalog.encoder(config), config)
    current = store.current()
    click.echo(f"index directory: {store.root}")
    click.echo(_describe("current", current))
    if current is not None and current.gate:
        click.echo(f"  quality check: {current.gate}")
    if current is not None and store.pinned():
        click.echo("  pinned by a rollback: rebuilds without --force do not replace it; "
                   "`index unpin` to let them")
    if current is not None and current.weights:
        click.echo("  learned ranking weights: " + ", ".join(
            f"{k} {v:.2f}" for k, v in sorted(current.weights.items())))
    if current is not None:
        click.echo("  match decision: " + _decision_line(current.match_model))
    click.echo(_describe("previous", store.previous()))
    serving = store.serving or catalog.index_version
    if serving is not None and (current is None or serving.version_id != current.version_id):
        click.echo(_describe("SERVING INSTEAD", serving)
                   + "  (the current version could not be loaded; see the errors below)")
    click.echo(f"versions kept: {len(store.list())}")
    unfinished = [d.name for d in store.incomplete()]
    unfinished += [v.version_id for v in store.unchecked()]
    if unfinished:
        click.echo(f"unfinished builds (removed by the next rebuild): "
                   f"{', '.join(unfinished)}")
    holder = store.rebuild_holder()
    if holder and holder.get("alive") is False:
        click.echo(f"stale rebuild lock: process {holder.get('pid')} (started "
                   f"{holder.get('started_at')}) is gone; the next rebuild takes the lock "
                   f"over and removes its unfinished build")
    elif holder:
        click.echo(f"rebuild running: process {holder.get('pid')} since "
                   f"{holder.get('started_at')}")
    errors = store.load_errors()
    if errors:
        click.echo("load errors (newest last):")
        for err in errors:
            click.echo(f"  {err['at']} {err['version']}: {err['error']}")
    with catalog.sessions() as session:
        runs = recent_runs(session, STATUS_RUNS, store)
        lease = lease_info(session, REBUILD_JOB)
    if lease is not None and lease.active():
        click.echo(f"rebuild lease held by {lease.describe()}")
    if runs:
        click.echo("last rebuild runs (newest first):")
        for run in runs:
            click.echo(f"  {describe_run(run)}")
    else:
        click.echo("no rebuild runs recorded yet")


@index_cli.command("list", help="List the kept index versions, oldest first: id, build time, "
                   "profiles, nDCG@10 and the quality check's decision. '*' marks the current "
                   "version, '-' the previous one (what `index rollback` returns to).")
def list_command() -> None:
    store = get_catalog().store
    current, previous = store.current(), store.previous()
    versions = store.list()
    if not versions:
        click.echo("no index versions yet; run `flask --app webapp index rebuild`")
        return
    click.echo(f"  {'version':<32} {'built_at':<26} {'profiles':>8} {GATE_METRIC:>8}  gate")
    for v in versions:
        mark = ("*" if current and v.version_id == current.version_id else
                "-" if previous and v.version_id == previous.version_id else " ")
        gate = v.gate or UNCHECKED
        click.echo(f"{mark} {v.version_id:<32} {v.built_at:<26} {v.profile_count:>8} "
                   f"{_metric(v):>8}  {gate}")


@index_cli.command("rollback", help="Serve an earlier index version: by default the one "
                   "promoted before the current one, or VERSION (an id from `index list`). "
                   "The version's files are verified first. A version that failed to load, "
                   "fails verification or was never checked by the quality gate is refused "
                   "(exit status 1, with the reason); one the quality check refused needs "
                   "--force. The chosen version is pinned: rebuilds without --force do not "
                   "replace it until `index unpin`. " + RESTART_NOTE + ".")
@click.argument("version", required=False)
@click.option("--force", is_flag=True, help="serve a version the quality check refused")
def rollback_command(version: str | None, force: bool) -> None:
    from recommender.config import RetrievalConfig

    catalog = get_catalog()
    config = RetrievalConfig.from_env()
    try:
        target = catalog.store.rollback(version, force=force,
                                        encoder=catalog.encoder(config), config=config)
    except (VersionNotFoundError, UnsafeVersionError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"now serving {target.version_id} (pinned: rebuilds without --force do not "
               f"replace it until `index unpin`); {RESTART_NOTE}")
    if catalog.ready:
        catalog.load_or_build()


@index_cli.command("unpin", help="Let rebuilds replace the version staff chose by `index "
                   "rollback`: the next scheduled or staff rebuild that passes the quality "
                   "check is promoted again. The version stays served until then.")
def unpin_command() -> None:
    version = get_catalog().store.unpin()
    if version is None:
        click.echo("nothing to unpin: the current version was not chosen by a rollback")
    else:
        click.echo(f"unpinned {version.version_id}; the next rebuild that passes the quality "
                   f"check replaces it")


@index_cli.command("prune", help="Delete old index versions to free disk space, keeping the "
                   "--keep newest plus always the current and the previous version.")
@click.option("--keep", type=click.IntRange(min=0), default=3, show_default=True,
              help="how many of the newest versions to keep")
def prune_command(keep: int) -> None:
    removed = get_catalog().store.prune(keep)
    click.echo(f"removed {len(removed)} versions" + (f": {', '.join(removed)}" if removed
                                                      else ""))


def init_app(app: Flask) -> None:
    app.cli.add_command(index_cli)
