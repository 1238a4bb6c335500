"""``flask --app webapp scheduler``: rebuild the supplier index on a cron schedule.

A blocking APScheduler 3 scheduler runs :func:`webapp.jobs.run_rebuild` (trigger
``schedule``) at the times of ``KETNOI_REBUILD_CRON`` in ``KETNOI_REBUILD_TZ``.
Several schedulers (one per host, say) may run: the database lease lets one
rebuild through and records the others as skipped. ``--once`` runs one rebuild
now and exits, for crontab or a systemd timer (docs/scheduling.md).

Crontab expressions are read as cron reads them: day-of-week 0 or 7 is Sunday
(APScheduler 3 alone would take 0 for Monday), so numeric weekdays are turned
into names before APScheduler sees them.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import current_app
from flask.cli import with_appcontext

log = logging.getLogger(__name__)

FIELDS = ("minute", "hour", "day of month", "month", "day of week")
_APS_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_NUMERIC = re.compile(r"^(\*|\d+(?:-\d+)?)(?:/(\d+))?$")


class CronError(ValueError):
    """A schedule that is not a valid 5-field crontab expression; names the field."""


def _weekdays(field: str) -> str:
    """A crontab day-of-week field in APScheduler's terms (names: 0 and 7 are Sunday)."""
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.split(","):
        match = _NUMERIC.match(part)
        if match is None:  # names (mon-fri) mean the same to both: leave it to APScheduler
            return field
        span, step = match.group(1), int(match.group(2) or 1)
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first, last = map(int, span.split("-"))
        else:
            first = last = int(span)
        if step < 1 or not 0 <= first <= last <= 7:
            raise CronError(f"day of week field {field!r}: {part!r} is not within 0-7 "
                            "(0 and 7 are Sunday)")
        days.update(d % 7 for d in range(first, last + 1, step))
    return ",".join(_WEEKDAYS[d] for d in sorted(days))


def parse_cron(expression: str, timezone: str):
    """An APScheduler ``CronTrigger`` for a 5-field crontab ``expression`` in ``timezone``.

    Raises:
        CronError: wrong number of fields, a field APScheduler rejects (named), both
            day fields restricted (cron would OR them, APScheduler ANDs them), or an
            unknown time zone.
    """
    from apscheduler.triggers.cron import CronTrigger

    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CronError(f"unknown time zone {timezone!r}; use an IANA name such as "
                        "Asia/Ho_Chi_Minh") from None
    values = expression.split()
    if len(values) != 5:
        raise CronError(f"{expression!r} has {len(values)} fields; a crontab schedule has "
                        f"5: {' '.join(FIELDS)} (e.g. '0 2 * * *' for 02:00 every day)")
    if values[2] != "*" and values[4] != "*":
        raise CronError(f"{expression!r} restricts both the day of month and the day of "
                        "week; give only one of them ('*' for the other)")
    values[4] = _weekdays(values[4])
    for name, key, value in zip(FIELDS, _APS_FIELDS, values, strict=True):
        try:
            CronTrigger(**{key: value}, timezone=zone)
        except ValueError as exc:
            raise CronError(f"{name} field {expression.split()[FIELDS.index(name)]!r} in "
                            f"{expression!r} is not valid: {exc}") from None
    trigger = CronTrigger(**dict(zip(_APS_FIELDS, values, strict=True)), timezone=zone)
    if trigger.get_next_fire_time(None, datetime.now(zone)) is None:
        raise CronError(f"{expression!r} never comes (no such date)")
    return trigger


def scheduled_rebuild(app, stop: threading.Event | None = None) -> None:
    """One scheduled run: a busy lease or a failure is logged and the schedule goes on."""
    from recommender.serving.rebuild import JobBusyError

    from .jobs import run_rebuild

    try:
        run = run_rebuild(app, "schedule", cancel=stop)
    except JobBusyError as exc:
        log.warning("scheduled index rebuild skipped: %s", exc)
        return
    except Exception:  # never stop the scheduler over one run
        log.exception("scheduled index rebuild could not start")
        return
    log.info("scheduled index rebuild run %d: %s (%s)", run.id, run.status.value, run.message)


@click.command("scheduler", help=(
    "Rebuild the supplier index on a schedule, with the same quality check as "
    "`flask --app webapp index rebuild`, until stopped (Ctrl-C or SIGTERM; a rebuild in "
    "progress is recorded as failed). The schedule is a 5-field crontab line (minute hour "
    "day-of-month month day-of-week; 0 or 7 is Sunday) from KETNOI_REBUILD_CRON, default "
    "'0 2 * * *' (02:00 every day), read in KETNOI_REBUILD_TZ (default Asia/Ho_Chi_Minh). "
    "Only one rebuild runs at a time across all hosts sharing the database; a scheduled "
    "one that finds another running is recorded as skipped and the schedule goes on. "
    "Every run is listed by `flask --app webapp index status`. See docs/scheduling.md "
    "for crontab and systemd setups."))
@click.option("--cron", "cron", metavar="'M H DOM MON DOW'",
              help="schedule to use instead of KETNOI_REBUILD_CRON, e.g. '30 1 * * 1-5' "
                   "(01:30 Monday to Friday)")
@click.option("--once", is_flag=True, help="run one rebuild now and exit (status 0 if it was "
              "promoted, 1 otherwise): for crontab or a systemd timer")
@with_appcontext
def scheduler_command(cron: str | None, once: bool) -> None:
    app = current_app._get_current_object()
    if once:
        from recommender.store.models import RunStatus

        from .index_cli import rebuild_and_report

        run = rebuild_and_report("schedule")
        if run.status != RunStatus.PROMOTED:
            raise SystemExit(1)
        return
    expression = cron or app.config["REBUILD_CRON"]
    source = "--cron" if cron else "KETNOI_REBUILD_CRON"
    try:
        trigger = parse_cron(expression, app.config["REBUILD_TZ"])
    except CronError as exc:
        raise click.ClickException(f"bad schedule ({source}): {exc}") from None
    run_scheduler(app, trigger)


def run_scheduler(app, trigger, *, stop: threading.Event | None = None) -> None:
    """Block, running rebuilds at ``trigger``'s times, until SIGTERM or Ctrl-C.

    A rebuild in progress when the signal comes stops at its next progress report and
    is recorded as failed ("stopped"); the version it was building is never promoted.
    """
    from apscheduler.events import EVENT_SCHEDULER_STARTED
    from apscheduler.schedulers.blocking import BlockingScheduler

    stop = stop or threading.Event()
    scheduler = BlockingScheduler(timezone=trigger.timezone)
    # a run still going at the next time is not started twice; a run missed while the
    # host slept is made up within an hour
    scheduler.add_job(scheduled_rebuild, trigger, args=[app, stop], id="index-rebuild",
                      max_instances=1, coalesce=True, misfire_grace_time=3600)

    def halt() -> None:
        stop.set()
        if scheduler.running:
            scheduler.shutdown(wait=False)

    def on_signal(signum, _frame) -> None:
        log.info("scheduler stopping on signal %d", signum)
        halt()

    def on_started(_event) -> None:
        if stop.is_set():  # a signal came while it was starting
            halt()
            return
        following = trigger.get_next_fire_time(None, datetime.now(trigger.timezone))
        click.echo(f"scheduler started: index rebuild at {trigger} ({trigger.timezone}); "
                   f"next run {following.isoformat(timespec='minutes')}; stop with Ctrl-C "
                   "or SIGTERM", err=True)

    scheduler.add_listener(on_started, EVENT_SCHEDULER_STARTED)
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        scheduler.start()  # returns once halt() shut it down
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("scheduler stopped", err=True)


def init_app(app) -> None:
    app.cli.add_command(scheduler_command)
