"""The search index's notes on the staff page in the user's language: what the engine writes
(the quality check, the learning from use, a run's outcome) is worded in Vietnamese."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from recommender.language import query_language
from recommender.learn import describe
from recommender.serving.rebuild import ABANDONED
from recommender.versions import GATE_METRIC, gate_decision
from webapp.staff.index_text import index_note

OLD, NEW, DROP = {GATE_METRIC: 0.80}, {GATE_METRIC: 0.85}, {GATE_METRIC: 0.70}
WHY = [gate_decision(NEW, None, 1.0)[1], gate_decision(NEW, OLD, 1.0)[1],
       gate_decision(DROP, OLD, 0.05)[1], gate_decision(None, OLD, 1.0)[1]]
LEARNING = [
    describe(None),
    describe({"queries": 0, "tuning_queries": 0, "held_queries": 0, "reason": (
        "kept the configured weights: only 0 judged queries in the interaction log (contacts "
        "and shortlists after a logged search), at least 40 are needed")}),
    describe({"queries": 60, "tuning_queries": 40, "held_queries": 20,
              "best": {"dense": 0.7}, "defaults": {"dense": 0.5},
              "reason": "learned weights improve held-apart nDCG@10 0.61 -> 0.66 (+0.05, "
                        "margin 0.01)", "decision": "used: labelled nDCG@10 0.80 -> 0.82"}),
    describe({"carried_from": "v1", "reason": "weights learned for version v1 kept by a "
                                              "build on start"}),
]
NOTES = [
    *(f"promoted 20261207T0351Z-432e: {why}" for why in WHY),
    f"promoted 20261207T0351Z-432e: {WHY[1]}\n{LEARNING[1]}",
    f"not promoted v2: {WHY[2]}; still serving v1 (use --force to promote anyway)\n"
    f"{LEARNING[2]}",
    f"not promoted v2 (it passed the quality check: {WHY[1]}): skipped promotion because "
    "staff pinned v1 by a rollback; run `index unpin` to let rebuilds replace it, or rebuild "
    "with --force",
    f"promoted v2: {WHY[0]}; this process could not load it (disk full)",
    ABANDONED + " (it was at the embedding stage; its lease expired)",
    ABANDONED + " (its lease expired)",
    "promoted v2; the process stopped before it recorded the end of its run",
    "promoted on start: no index version yet", "promoted on start: the profiles changed",
    f"promoted: {WHY[1]}", f"promoted by force: {WHY[2]}", f"refused: {WHY[2]}",
    f"passed, not promoted (pinned): {WHY[1]}",
    f"promoted by force by a rollback (the quality check had refused: {WHY[2]})",
    "adopted from the unversioned index of an earlier release",
    "will not serve index version v2: the quality check refused it (refused: "
    f"{WHY[2]}); use --force to serve it anyway",
    "no ready index version 'v9' in /srv/ketnoi/index/versions; see `index list`",
    *LEARNING,
]


@pytest.mark.parametrize("note", NOTES)
def test_every_engine_note_reads_in_vietnamese(app, note) -> None:
    with app.test_request_context(), force_locale("vi"):
        text = index_note(note)
    for part in text.split("\n"):
        assert query_language(part) != "en", part
    assert "/srv/" not in text  # never the store's path


def test_english_gives_the_engine_wording_back_and_unknown_text_stays(app) -> None:
    with app.test_request_context(), force_locale("en"):
        assert index_note(f"promoted v2: {WHY[1]}") == "promoted v2: nDCG@10 0.80 → 0.85 " \
            "(tolerance 1.00)"
        assert index_note("OSError: disk full") == "OSError: disk full"
        assert index_note(None) == ""
