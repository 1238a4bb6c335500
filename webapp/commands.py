"""Staff commands over the live catalog: search and evaluation.

``flask --app webapp search "QUERY"`` runs the web app's ranking from the
command line; ``flask --app webapp evaluate`` scores it on the labelled buyer
queries beside plain BM25 and dense retrieval.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from datetime import UTC, date, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from recommender.domain_eval import LABELS_AS_OF
from recommender.resources import corpus_file
from recommender.search import SearchError

from .catalog import get_catalog
from .filters import SearchFilters
from .i18n import LANGUAGES
from .search import MAX_PER_PAGE, run_search

HANDWRITTEN_AS_OF = date(2026, 12, 6)
"""The day the hand-written set was judged (certificate validity)."""


def _ready_catalog():
    catalog = get_catalog()
    if not catalog.ready:
        catalog.load_or_build()
    return catalog


@click.command("search", help="Search the stored supplier profiles with the same ranking as "
               "the web app and print the ranked results (external id, score, why).")
@click.argument("query")
@click.option("--k", default=10, show_default=True, type=click.IntRange(1, MAX_PER_PAGE),
              help="number of results")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object with a "
              "'results' list instead of a table")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="language of dates in the results (default: the app's, BABEL_DEFAULT_LOCALE)")
@with_appcontext
def search_command(query: str, k: int, as_json: bool, lang: str | None) -> None:
    _ready_catalog()
    try:
        with force_locale(lang) if lang else nullcontext():
            found = run_search(query, SearchFilters(), per_page=k)
    except SearchError as exc:
        raise click.UsageError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps({"query": query, "results": found.items,
                               "requirements": found.requirements}, ensure_ascii=False))
        return
    for item in found.items:
        why = ", ".join(item["matched_terms"][:8]) or "semantic match"
        reqs = "; ".join(f"{c['wanted']}: {c['status']}" for c in item["requirements"])
        click.echo(f"{item['rank']:>3}. {item['external_id']:<12} {item['score']:7.3f}  "
                   f"{item['name']}")
        click.echo(f"     matched: {why}" + (f" | requirements: {reqs}" if reqs else ""))


def _evaluation_table(results: dict) -> str:
    groups = ["all", "vi", "vi_nodiac", "en"]
    lines = [f"{'variant':<8}" + "".join(f"{g:>12}" for g in groups) + "   (nDCG@10)"]
    for variant, by_group in results.items():
        lines.append(f"{variant:<8}" + "".join(
            f"{by_group[g]['nDCG@10']:>12.2f}" if g in by_group else f"{'-':>12}"
            for g in groups))
    return "\n".join(lines)


def _calibration_table(cal: dict) -> str:
    """The match decision on the held-apart queries: Brier score and reliability table."""
    banner = cal["gap_banner"]
    lines = [
        f"match decision on {cal['queries']} held-apart queries, each run as it is and "
        f"as a gap ({cal['examples']} results, {cal['matches']} matches; fitted on "
        f"{cal['fitted_on']} results of the other queries):",
        f"  Brier score {cal['brier']:.4f} (always the base rate: "
        f"{cal['brier_base_rate']:.4f}); match precision {cal['precision']:.3f}, "
        f"recall {cal['recall']:.3f}",
        f"  no-match banner: precision {banner['precision']:.3f}, recall "
        f"{banner['recall']:.3f} ({banner['said']} said, {banner['gaps']} true gaps in "
        f"{banner['runs']} runs)",
        "  reliability:  probability    results  predicted  observed",
    ]
    for row in cal["reliability"]:
        lines.append(f"               {row['from']:.1f}-{row['to']:.1f}   {row['n']:>10} "
                     f"{row['predicted']:>10.3f} {row['observed']:>9.3f}")
    return "\n".join(lines)


@click.command("evaluate", help="Score the ranking on labelled buyer queries: nDCG@10, "
               "R@10, MRR@10 per language group, beside BM25-only and dense-only. --set "
               "generated (default) scores the profiles in this database against "
               "corpora/buyer_queries.jsonl (the fictional sample's labels); --set handwritten "
               "imports corpora/handwritten/suppliers.csv as written into a throwaway "
               "database and sends its 68 queries to the search API; --set all does both.")
@click.option("--set", "which", type=click.Choice(["generated", "handwritten", "all"]),
              default="generated", show_default=True)
@click.option("--queries", type=click.Path(exists=True, dir_okay=False),
              default=str(corpus_file("buyer_queries.jsonl")), show_default=True)
@click.option("--qrels", type=click.Path(exists=True, dir_okay=False),
              default=str(corpus_file("buyer_qrels.tsv")), show_default=True)
@click.option("--as-of", "as_of", default=LABELS_AS_OF, show_default=True,
              help="date certificates are checked on (the labels' date)")
@click.option("--json", "as_json", is_flag=True, help="print the full results as JSON")
@click.option("--save", is_flag=True, help="append the result, with the index version it "
              "measured, to instance/evaluations.jsonl")
@with_appcontext
def evaluate_command(which: str, queries: str, qrels: str, as_of: str, as_json: bool,
                     save: bool) -> None:
    from recommender.domain_eval import evaluate_domain, load_labelled
    from recommender.matching import collect_examples, fit_match_model

    try:
        day = date.fromisoformat(as_of)
    except ValueError as exc:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {as_of}") from exc
    if which in ("handwritten", "all"):
        from .evaluate import evaluate_files

        found = evaluate_files(corpus_file("handwritten/suppliers.csv"),
                               corpus_file("handwritten/queries.jsonl"),
                               corpus_file("handwritten/qrels.tsv"), today=HANDWRITTEN_AS_OF,
                               create_app=current_app.extensions["ketnoi_factory"])
        if as_json:
            click.echo(json.dumps({"set": "handwritten", **found}, ensure_ascii=False))
        else:
            click.echo(f"hand-written set: {found['profiles']} profiles imported through "
                       f"import-profiles ({found['import']}), {found['queries']} queries "
                       "through /api/v1/search")
            click.echo(_evaluation_table(found["results"]))
        if which == "handwritten":
            return
    catalog = _ready_catalog()
    labelled, judged = load_labelled(queries, qrels)
    ids = {doc: p.external_id for doc, p in catalog.profiles.items()}
    results = evaluate_domain(catalog.recommender, labelled, judged, ids, today=day)
    try:
        decision = fit_match_model(collect_examples(catalog.recommender, labelled, judged,
                                                    ids, today=day)).calibration
    except ValueError as exc:  # a small labelled set
        decision = {"not_fitted": str(exc)}
    record = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "index_version": catalog.version, "profiles": len(ids),
              "queries": len(labelled), "as_of": as_of, "results": results,
              "match_decision": decision}
    if save:
        path = Path(current_app.instance_path) / "evaluations.jsonl"
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False))
    else:
        click.echo(f"index {catalog.version}: {len(ids)} profiles, {len(labelled)} queries")
        click.echo(_evaluation_table(results))
        click.echo(_calibration_table(decision) if "not_fitted" not in decision
                   else f"match decision not fitted: {decision['not_fitted']}")


def init_app(app: Flask) -> None:
    app.cli.add_command(search_command)
    app.cli.add_command(evaluate_command)
