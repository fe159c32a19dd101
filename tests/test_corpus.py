"""The labelled corpus stays consistent with the segmenter, the guideline and its splits."""
import json
import re
from collections import defaultdict

from scoring.labels import LABELS
from scoring.segment import segment
from training import agreement, corpus


def test_voa_passages_are_exactly_what_the_segmenter_cuts():
    stories = {s["id"]: s for s in corpus.read_jsonl(corpus.STORIES)}
    rows = [r for r in corpus.load() if r["source"] == "voa"]
    by_story = defaultdict(list)
    for r in rows:
        by_story[r["story_id"]].append(r)
    assert set(by_story) == set(stories)
    for sid, story in stories.items():
        spans = segment(story["text"])
        got = [(r["start"], r["end"]) for r in sorted(by_story[sid], key=lambda r: r["index"])]
        assert got == spans, sid
        for r in by_story[sid]:
            assert story["text"][r["start"]:r["end"]] == r["text"]
            assert r["url"] == story["url"]


def test_rows_follow_the_guideline_vocabulary():
    for r in corpus.load():
        assert set(r["labels"]) <= set(LABELS)
        assert all(re.fullmatch(r"[A-Z]{3}", c) for c in r["countries"]), r["id"]
        assert r["split"] in corpus.SPLITS
        assert r["source"] in {"voa", "written", *corpus.OTHER_SOURCES}


def test_other_source_passages_are_what_the_segmenter_cuts_and_keep_their_story():
    stories = {s["id"]: s for s in corpus.other_stories()}
    rows = [r for r in corpus.load() if r["source"] not in ("voa", "written")]
    assert rows, "the corpus has passages from other publishers"
    for r in rows:
        story = stories[r["story_id"]]
        assert r["source"] == story["source"] and r["url"] == story["url"]
        assert r["published"] == story["published"]
        assert story["text"][r["start"]:r["end"]] == r["text"]
        assert (r["start"], r["end"]) == segment(story["text"])[r["index"]]
        assert r["id"] == f"{story['id']}-{r['index']:03d}"


def test_every_other_source_story_keeps_its_url_licence_and_origin():
    ids = set()
    for s in corpus.other_stories():
        assert s["id"] not in ids
        ids.add(s["id"])
        assert s["source"] in corpus.OTHER_SOURCES, s["id"]
        assert s["url"].startswith("https://"), s["id"]
        assert s["licence"] and s["publisher"], s["id"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", s["published"]), s["id"]
        assert {"repo", "path", "commit"} <= set(s["origin"]), s["id"]


def test_other_source_labels_cover_only_known_passages_and_are_well_formed():
    from training.labelcheck import check_row, known_codes

    passages = {p["id"] for p in corpus.story_passage_texts(corpus.other_stories())}
    codes = known_codes()
    for path in sorted(corpus.STORY_LABEL_DIR.glob("*.jsonl")):
        for row in corpus.read_jsonl(path):
            assert row["id"] in passages, (path.name, row["id"])
            assert check_row(row, codes) == [], (path.name, row["id"])


def test_splits_are_by_story_never_by_passage():
    split_of = {}
    for r in corpus.load():
        key = (r["source"], r["story_id"])
        assert split_of.setdefault(key, r["split"]) == r["split"], key


def test_the_corpus_file_is_what_the_build_produces():
    built = corpus.build()
    assert [json.loads(json.dumps(r)) for r in built] == corpus.load()


def test_second_pass_agreement():
    res = agreement.agreement()
    assert res["passages"] >= 200
    for label, m in res["labels"].items():
        assert m["kappa"] >= 0.7, (label, m)
        assert m["positives_first"] >= 20, label  # kappa on a handful of positives would mean little
