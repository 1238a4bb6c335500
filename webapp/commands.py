"""Staff commands over the live catalog: search and evaluation.

``flask --app webapp search "QUERY"`` runs the web app's ranking from the
command line; ``flask --app webapp evaluate`` scores it on the labelled buyer
queries beside plain BM25 and dense retrieval.
"""

from __future__ import annotations

import functools
import json
import operator
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
"""The day the hand-written sets were judged (certificate validity)."""


def labelled_options(command):
    """The labelled buyer queries a command scores or fits on, and the day they hold."""
    for option in reversed((
        click.option("--queries", type=click.Path(exists=True, dir_okay=False),
                     default=str(corpus_file("buyer_queries.jsonl")), show_default=True),
        click.option("--qrels", type=click.Path(exists=True, dir_okay=False),
                     default=str(corpus_file("buyer_qrels.tsv")), show_default=True),
        click.option("--as-of", "as_of", default=LABELS_AS_OF, show_default=True,
                     help="date certificates are checked on (the labels' date)"),
    )):
        command = option(command)
    return command


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
        f"as a gap ({cal['examples']} results, {cal['matches']} matches"
        + (f"; fitted on {cal['fitted_on']} results of the other queries):"
           if cal.get("fitted_on") else "):"),
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


def _decision_text(report: dict) -> str:
    """The served match decision on the hand-written set (see webapp.evaluate)."""
    lines = []
    for part, banner in report["banner"].items():
        lines.append(
            f"no-good-match banner, {part.replace('_', '-')} queries: precision "
            f"{banner['precision']}, recall {banner['recall']} ({banner['said']} said, "
            f"{banner['gaps']} true gaps among {banner['queries']} queries)")
    m = report["matches"]
    lines.append(f"matches per query: {m['labelled_mean']} reported, {m['grade2_mean']} "
                 f"graded 2; gap queries: {m['gap_queries_mean']} reported, "
                 f"{m['gap_queries_with_none']} with none")
    return "\n".join(lines) + "\n" + _calibration_table(report["calibration"])


HANDWRITTEN_SETS = ("handwritten", "handwritten2")
"""The hand-written labelled sets shipped in ``corpora`` (each a staff export of profiles,
buyer queries, judgements and designed gap queries), measured and fitted on together."""


def handwritten_sets() -> dict[str, Path]:
    """The folder of each of :data:`HANDWRITTEN_SETS`."""
    return {name: corpus_file(f"{name}/suppliers.csv").parent for name in HANDWRITTEN_SETS}


def _evaluate_folder(name: str, labelled_set: Path, as_json: bool) -> None:
    """Import one labelled folder as written, search its queries through the API, print."""
    from .evaluate import evaluate_files

    gaps = labelled_set / "gap_queries.jsonl"
    for file in ("suppliers.csv", "queries.jsonl", "qrels.tsv"):
        if not (labelled_set / file).is_file():
            raise click.BadParameter(f"{labelled_set} has no {file}", param_hint="--dir")
    found = evaluate_files(labelled_set / "suppliers.csv", labelled_set / "queries.jsonl",
                           labelled_set / "qrels.tsv", today=HANDWRITTEN_AS_OF,
                           create_app=current_app.extensions["ketnoi_factory"],
                           gap_queries=gaps if gaps.is_file() else None)
    if as_json:
        click.echo(json.dumps({"set": str(labelled_set) if name == "folder" else name,
                               **found}, ensure_ascii=False))
        return
    title = (f"labelled set {labelled_set}" if name == "folder"
             else f"hand-written set ({labelled_set.name})")
    click.echo(f"{title}: {found['profiles']} profiles imported through import-profiles "
               f"({found['import']}), {found['queries']} queries through /api/v1/search")
    click.echo(_evaluation_table(found["results"]))
    if "decision" in found:
        click.echo(_decision_text(found["decision"]))


@click.command("evaluate", help="Score the ranking on labelled buyer queries: nDCG@10, "
               "R@10, MRR@10 per language group, beside BM25-only and dense-only. --set "
               "generated (default) scores the profiles in this database against "
               "corpora/buyer_queries.jsonl (the fictional sample's labels); --set handwritten "
               "imports each hand-written set (corpora/handwritten, corpora/handwritten2) as "
               "written into a throwaway database and sends its 68 queries to the search "
               "API; --set exchange matches "
               "the 55 needs of corpora/exchange to its 144 offers (precision@3, nDCG@10 of "
               "the resource exchange); --set all does all three. --dir FOLDER measures a "
               "folder laid out like corpora/handwritten instead of the hand-written sets.")
@click.option("--set", "which", type=click.Choice(["generated", "handwritten", "exchange",
                                                   "all"]),
              default="generated", show_default=True)
@click.option("--dir", "folder", type=click.Path(exists=True, file_okay=False),
              help="a labelled set laid out like corpora/handwritten (suppliers.csv, "
              "queries.jsonl, qrels.tsv, optionally gap_queries.jsonl): imported as written "
              "and searched through the API like the hand-written set (implies --set "
              "handwritten unless --set all)")
@labelled_options
@click.option("--json", "as_json", is_flag=True, help="print the full results as JSON")
@click.option("--save", is_flag=True, help="append the result, with the index version it "
              "measured, to instance/evaluations.jsonl")
@with_appcontext
def evaluate_command(which: str, folder: str | None, queries: str, qrels: str, as_of: str,
                     as_json: bool, save: bool) -> None:
    from recommender.domain_eval import evaluate_domain, load_labelled
    from recommender.matching import fit_for_index

    try:
        day = date.fromisoformat(as_of)
    except ValueError as exc:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {as_of}") from exc
    if folder and which != "all":
        which = "handwritten"
    if which in ("exchange", "all"):
        _evaluate_exchange(as_json)
        if which == "exchange":
            return
    if which in ("handwritten", "all"):
        for name, labelled_set in ({"folder": Path(folder)} if folder
                                   else handwritten_sets()).items():
            _evaluate_folder(name, labelled_set, as_json)
        if which == "handwritten":
            return
    catalog = _ready_catalog()
    labelled, judged = load_labelled(queries, qrels)
    ids = {doc: p.external_id for doc, p in catalog.profiles.items()}
    if not set(ids.values()) & {e for found in judged.values() for e in found}:
        raise click.ClickException(
            f"none of the suppliers judged in {qrels} is among the {len(ids)} profiles of "
            "this database, so there is nothing to score: the labelled queries are written "
            "for the fictional sample (load it with KETNOI_LOAD_SAMPLE=1); measure your own "
            "labelled set with --dir FOLDER")
    results = evaluate_domain(catalog.recommender, labelled, judged, ids, today=day)
    fitted = fit_for_index(catalog.recommender, labelled, judged, ids, today=day)
    decision = fitted.get("calibration") or {"not_fitted": fitted.get("not_fitted")}
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


def _evaluate_exchange(as_json: bool) -> None:
    from recommender.embed.encoder import load_encoder
    from recommender.exchange.evaluate import evaluate_exchange

    found = evaluate_exchange(load_encoder(), corpus_file("exchange/offers.csv").parent)
    if as_json:
        click.echo(json.dumps({"set": "exchange", **found}, ensure_ascii=False))
        return
    click.echo(f"resource exchange: {found['needs']} needs matched to {found['offers']} "
               "offers (corpora/exchange)")
    ranker = found["ranker"]
    click.echo(f"served order: the ranker fitted on {', '.join(ranker['sets'])} ({ranker['date']})"
               if ranker else "served order: the rules' hand-set weights (no ranker fitted "
               "for this embedding model: flask --app webapp exchange-ranker)")
    names = list(next(iter(found["runs"].values())))
    click.echo(f"{'':18s}" + "".join(f"{n:>{len(n) + 2}s}" for n in names))
    for run, figures in found["runs"].items():
        click.echo(f"{run:18s}" + "".join(f"{figures[n]!s:>{len(n) + 2}s}" for n in names))


@click.command("match-model", help="Fit the match decision (which results match, when a "
               "search is a supply gap) on the labelled buyer queries and the searches "
               "buyers acted on, over the profiles in this database, and print its "
               "calibration on held-apart queries. Each index rebuild does the same and "
               "keeps the result in the version. --handwritten-weight adds the first hand-written "
               "set (imported as written into a throwaway database), its queries counting "
               "that many times; --save-default writes the result as the decision shipped "
               "with the package (corpora/match_model.json).")
@labelled_options
@click.option("--handwritten-weight", type=click.FloatRange(0.0), default=0.0,
              show_default=True, help="weight of the first hand-written set's examples "
              "(0: not used; the second set is held out)")
@click.option("--save-default", is_flag=True, help="write it to corpora/match_model.json")
@with_appcontext
def match_model_command(queries: str, qrels: str, as_of: str, handwritten_weight: float,
                        save_default: bool) -> None:
    from dataclasses import replace

    import numpy as np

    from recommender.config import RetrievalConfig
    from recommender.domain_eval import load_labelled
    from recommender.learn import held_apart, read_implicit_judgements
    from recommender.matching import (
        DEFAULT_MODEL_FILE,
        calibration,
        fit_match_model,
        index_examples,
    )

    from .evaluate import handwritten_examples

    catalog = _ready_catalog()
    labelled, judged = load_labelled(queries, qrels)
    with catalog.sessions() as session:
        logged = read_implicit_judgements(session)
    sets = {}
    sets["this database"], used = index_examples(
        catalog.recommender, labelled, judged,
        {d: p.external_id for d, p in catalog.profiles.items()},
        today=date.fromisoformat(as_of), logged=logged)
    if handwritten_weight > 0:  # the second set stays out of the fit: it measures how
        folder = handwritten_sets()["handwritten"]  # the decision carries over
        sets["handwritten"] = handwritten_examples(
            folder / "suppliers.csv", folder / "queries.jsonl", folder / "qrels.tsv",
            folder / "gap_queries.jsonl", create_app=current_app.extensions["ketnoi_factory"],
            today=HANDWRITTEN_AS_OF, weight=handwritten_weight)
    everything = functools.reduce(operator.add, sets.values())
    try:
        model = fit_match_model(everything)
    except ValueError as exc:
        raise click.ClickException(f"not fitted: {exc}") from exc
    by_set = {name: calibration(model, ex.part(np.array([held_apart(g) for g in ex.group])))
              for name, ex in sets.items()}
    model = replace(model, calibration={**model.calibration, "by_set": by_set}, fitted_on={
        **used, "handwritten_weight": handwritten_weight or None, "as_of": as_of,
        "model_id": RetrievalConfig.from_env().model})
    click.echo(f"fitted on {used['labelled_queries']} labelled and {used['logged_queries']} "
               f"logged queries{' and the hand-written set' if handwritten_weight else ''}; "
               f"threshold {model.threshold:.2f}, gap threshold {model.gap_threshold:.2f}")
    for name, cal in by_set.items():
        click.echo(f"{name}: " + _calibration_table(cal))
    if save_default:
        path = corpus_file("README.md").parent / DEFAULT_MODEL_FILE
        path.write_text(json.dumps(model.to_dict(), ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
        click.echo(f"written to {path}")


@click.command("exchange-ranker", help="Fit the order of the resource exchange's matches "
               "(logistic regression over the engine's scores and the rules' readings) on a "
               "labelled set of offers and needs, by default the development sets "
               "corpora/exchange_dev, exchange_dev2 and exchange_dev3, and print its "
               "cross-validated "
               "precision@3 there and "
               "its figures on the evaluation set corpora/exchange, which it never sees. "
               "--save-default writes it as the ranker shipped with the package "
               "(corpora/exchange_ranker.json).")
@click.option("--set", "folders", type=click.Path(exists=True, file_okay=False),
              multiple=True, help="a folder with offers.csv, needs.csv and qrels.tsv, "
              "repeatable [default: corpora/exchange_dev, exchange_dev2 and exchange_dev3]")
@click.option("--save-default", is_flag=True, help="write it to corpora/exchange_ranker.json")
def exchange_ranker_command(folders: tuple[str, ...], save_default: bool) -> None:
    from recommender.embed.encoder import load_encoder
    from recommender.exchange.evaluate import evaluate_exchange, fit_on_sets
    from recommender.exchange.rerank import DEFAULT_RANKER_FILE

    encoder = load_encoder()
    folders = folders or tuple(str(corpus_file(f"{n}/offers.csv").parent)
                               for n in ("exchange_dev", "exchange_dev2", "exchange_dev3"))
    try:
        ranker = fit_on_sets(encoder, folders)
    except ValueError as exc:
        raise click.ClickException(f"not fitted: {exc}") from exc
    fitted = ranker.fitted_on
    click.echo(f"fitted on {fitted['needs']} needs of {', '.join(fitted['sets'])} "
               f"({fitted['candidates']} candidates, {fitted['good']} good); C={fitted['c']}; "
               "cross-validated " + ", ".join(
                   f"C={c}: P@3 {v['P@3']} nDCG@10 {v['nDCG@10']}"
                   for c, v in fitted["cross_validated"].items()))
    click.echo("weights: " + ", ".join(f"{n} {w:+.2f}"
                                       for n, w in zip(ranker.features, ranker.coef)))
    runs = evaluate_exchange(encoder, corpus_file("exchange/offers.csv").parent, ranker)["runs"]
    click.echo("on corpora/exchange: " + "; ".join(
        f"{name} P@3 {r['P@3']} nDCG@10 {r['nDCG@10']}" for name, r in runs.items()))
    if save_default:
        path = corpus_file("README.md").parent / DEFAULT_RANKER_FILE
        path.write_text(json.dumps(ranker.to_dict(), ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
        click.echo(f"written to {path}")


def init_app(app: Flask) -> None:
    app.cli.add_command(search_command)
    app.cli.add_command(evaluate_command)
    app.cli.add_command(match_model_command)
    app.cli.add_command(exchange_ranker_command)
