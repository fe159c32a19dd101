"""The labelled corpus: build it from the labelling passes, load it, and featurise it.

``python -m training.corpus`` rebuilds ``training/data/passages.jsonl`` from
- ``training/data/voa_stories.jsonl``: Voice of America stories (US government work, public
  domain; each passage keeps its story's URL), cut into passages by ``scoring.segment``
  exactly as the scorer cuts articles;
- ``training/labels/pass1_*.jsonl``: the first labelling pass over every VOA passage;
- ``training/labels/adjudicated.jsonl``: decisions on passages where the independent second
  pass (``training/labels/pass2.jsonl``) disagreed with the first; they override pass 1;
- ``training/data/written_passages*.jsonl``: passages written by the project for what real
  news under-represents (``source: written``), grouped into small made-up "stories";
- ``training/labels/pairs/``: the pair labels and agents of every passage with two or more
  countries (first pass, adjudicated second-pass disagreements; ``load_pair_labels``); the
  written passages of ``written_passages_pairs.jsonl`` carry theirs inline;
- ``training/data/stories/*.jsonl``: real stories from other publishers and decades
  (Wikinews, US presidential addresses, the White House, the State Department, the CIA
  World Factbook; each keeps its URL, licence and where it was read from; README.md there
  says how they were found and chosen), cut into passages the same way, with passage
  labels, countries, pair labels and agents from ``training/labels/stories/pass1_*.jsonl``,
  overridden by ``training/labels/stories/adjudicated.jsonl`` where the second pass
  (``pass2_*.jsonl``) disagreed.
Splits are fixed per story (never per passage) and stored in the file: VOA and written
stories are dealt by ``story_splits``; other sources' by a hash of the story id
(``hashed_split``), so adding stories never moves one already labelled.

Each output line: ``{"id", "source", "story_id", "url", "published", "index", "start", "end",
"text", "labels": [...], "countries": [...], "pairs": [{"pair", "labels", "agents"}, ...] |
null, "split"}`` (``pairs`` is null for a passage with two or more countries not yet
pair-labelled; ``published`` is the story's date, null for written passages).
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from scoring.features import Doc
from scoring.labels import LABELS
from scoring.segment import segment

DATA = Path(__file__).parent / "data"
LABEL_DIR = Path(__file__).parent / "labels"
PAIR_DIR = LABEL_DIR / "pairs"
PASSAGES = DATA / "passages.jsonl"
STORIES = DATA / "voa_stories.jsonl"
STORY_DIR = DATA / "stories"  # other publishers and decades
STORY_LABEL_DIR = LABEL_DIR / "stories"
OTHER_SOURCES = ("wikinews", "us_president", "whitehouse", "state_dept", "cia_factbook")
WRITTEN_GLOB = "written_passages*.jsonl"
SPLITS = ("train", "dev", "test")
# Stories are assigned round-robin over this pattern after sorting them by section and a
# seeded shuffle: 60% train, 20% dev, 20% test of stories.
_PATTERN = ("train", "train", "dev", "train", "test", "train", "train", "dev", "train", "test")


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def story_splits(stories: list[dict], seed: int = 20251) -> dict[str, str]:
    """Story id -> split, stratified by section."""
    import random

    rng = random.Random(seed)
    by_section: dict[str, list[str]] = {}
    for s in stories:
        by_section.setdefault(s.get("section", ""), []).append(s["id"])
    order: list[str] = []
    for section in sorted(by_section):
        ids = sorted(by_section[section])
        rng.shuffle(ids)
        order += ids
    return {sid: _PATTERN[i % len(_PATTERN)] for i, sid in enumerate(order)}


def other_stories() -> list[dict]:
    """The stories of ``training/data/stories/``, in file and line order."""
    return [s for path in sorted(STORY_DIR.glob("*.jsonl")) for s in read_jsonl(path)]


def story_passage_texts(stories: list[dict]) -> list[dict]:
    """Every passage of other-source stories as labellers see it: ``{"id", "title",
    "published", "text"}``, the id ``<story id>-<index>``."""
    return [{"id": f"{s['id']}-{i:03d}", "title": s["title"], "published": s.get("published"), "text": s["text"][a:b]}
            for s in stories for i, (a, b) in enumerate(segment(s["text"]))]


def load_story_labels() -> dict[str, dict]:
    """Passage id -> its labelling (passage labels, countries, pairs) for other-source stories:
    the first pass overridden by adjudicated decisions."""
    return _adjudicated_first_pass(STORY_LABEL_DIR)


def _adjudicated_first_pass(directory: Path) -> dict[str, dict]:
    """Passage id -> its row in ``directory/pass1_*.jsonl``, replaced by its row in
    ``directory/adjudicated.jsonl`` where there is one."""
    out: dict[str, dict] = {}
    for path in sorted(directory.glob("pass1_*.jsonl")):
        out.update({r["id"]: r for r in read_jsonl(path)})
    adjudicated = directory / "adjudicated.jsonl"
    if adjudicated.exists():
        out.update({r["id"]: r for r in read_jsonl(adjudicated)})
    return out


def hashed_split(story_id: str) -> str:
    """A story's split from its id alone (sha256, dealt 6/2/2 like ``story_splits``), so a
    story keeps its split when more stories of its source are added."""
    return _PATTERN[int(hashlib.sha256(story_id.encode("utf-8")).hexdigest()[:8], 16) % len(_PATTERN)]


def build_passage_texts() -> list[dict]:
    """Every VOA passage as the labellers saw it: ``{"id", "title", "text"}``."""
    out = []
    for story in read_jsonl(STORIES):
        for i, (start, end) in enumerate(segment(story["text"])):
            out.append({"id": f"voa-{story['id']}-{i:03d}", "title": story["title"], "text": story["text"][start:end]})
    return out


def label_matrix(rows: list[dict]) -> np.ndarray:
    """(rows, labels) 0/1: whether each row's ``labels`` has each of LABELS."""
    return np.array([[1 if label in r.get("labels", []) else 0 for label in LABELS] for r in rows],
                    dtype=int).reshape(len(rows), len(LABELS))


def _labels_of(row: dict) -> list[str]:
    return [label for label in LABELS if int(row.get(label, 0)) == 1]


def load_pair_labels() -> dict[str, dict]:
    """Passage id -> its pair labelling ``{"countries", "pairs"}``: the first pass
    (``training/labels/pairs/pass1_*.jsonl``), overridden by the adjudicated decisions where the
    independent second pass disagreed (``training/labels/pairs/adjudicated.jsonl``)."""
    return _adjudicated_first_pass(PAIR_DIR)


def _pairs_of(countries: list[str], labelled: dict | None) -> list[dict] | None:
    """The row's pairs: every pair of its countries with labels and agents; ``[]`` with fewer
    than two countries; ``None`` when it has two or more but no pair labelling yet."""
    if len(countries) < 2:
        return []
    if labelled is None:
        return None
    return [{"pair": p["pair"], "labels": sorted(p.get("labels", [])),
             "agents": {k: sorted(v) for k, v in sorted(p.get("agents", {}).items()) if v}}
            for p in sorted(labelled["pairs"], key=lambda p: p["pair"])]


def build() -> list[dict]:
    pair_labels = load_pair_labels()
    stories = read_jsonl(STORIES)
    splits = story_splits(stories)
    voa = _adjudicated_first_pass(LABEL_DIR)
    rows, missing = _story_rows(
        stories, "voa", lambda story, i: f"voa-{story['id']}-{i:03d}", lambda story: splits[story["id"]],
        lambda pid: (voa[pid], pair_labels.get(pid)) if pid in voa else None)
    if missing:
        print(f"warning: {len(missing)} VOA passages have no label yet (first: {missing[0]})", file=sys.stderr)
    for path in sorted(DATA.glob(WRITTEN_GLOB)):
        written = read_jsonl(path)
        groups = sorted({w["story_id"] for w in written})
        wsplit = story_splits([{"id": g, "section": "written"} for g in groups], seed=7)
        for w in written:
            paired = pair_labels.get(w["id"]) or (w if "pairs" in w else None)
            countries = sorted(set((paired or w).get("countries", [])))
            rows.append({
                "id": w["id"], "source": "written", "story_id": w["story_id"], "url": None,
                "published": None, "index": None, "start": 0, "end": len(w["text"]), "text": w["text"],
                "labels": _labels_of(w), "countries": countries, "pairs": _pairs_of(countries, paired),
                "split": wsplit[w["story_id"]],
            })
    labels = load_story_labels()
    other, missing = _story_rows(
        other_stories(), None, lambda story, i: f"{story['id']}-{i:03d}", lambda story: hashed_split(story["id"]),
        lambda pid: (labels[pid], labels[pid] if "pairs" in labels[pid] else None) if pid in labels else None)
    if missing:
        print(f"warning: {len(missing)} passages of training/data/stories have no label yet", file=sys.stderr)
    return rows + other


def _story_rows(stories: list[dict], source: str | None, passage_id, split_of, labelled) -> tuple[list[dict], list[str]]:
    """The rows of real stories cut by ``segment``, and the ids of passages with no label yet.
    ``source``: the rows' source (None: each story's own ``source``); ``passage_id(story, i)``;
    ``split_of(story)``; ``labelled(passage id)``: ``(passage labelling, pair labelling or
    None)``, or None when the passage is not labelled."""
    rows, missing = [], []
    for story in stories:
        for i, (start, end) in enumerate(segment(story["text"])):
            pid = passage_id(story, i)
            got = labelled(pid)
            if got is None:
                missing.append(pid)
                continue
            label, paired = got
            countries = sorted(set((paired or label).get("countries", [])))
            rows.append({
                "id": pid, "source": source or story["source"], "story_id": story["id"], "url": story["url"],
                "published": story.get("published"), "index": i, "start": start, "end": end,
                "text": story["text"][start:end], "labels": _labels_of(label), "countries": countries,
                "pairs": _pairs_of(countries, paired), "split": split_of(story),
            })
    return rows, missing


def load(path: Path = PASSAGES) -> list[dict]:
    return read_jsonl(path)


def file_sha256(path: Path = PASSAGES) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def passage_mentions(rows: list[dict]) -> list[list[tuple[int, int, str]]]:
    """Per row, its country mentions ``(start, end, code)`` relative to the passage, found as
    the scorer finds them (names, and "the two sides" or "the President",
    ``scoring.coreference``): a real story's passages within the whole story at its date (so a
    surname confirmed earlier in the story resolves the same way as in the service, and office
    holders as of the story), written passages alone."""
    from scoring.actors import find_actors
    from scoring.coreference import with_coreference
    from scoring.scorer import parse_date
    from scoring.segment import segment

    def found(text: str, date=None) -> list:
        return with_coreference(text, find_actors(text, date=date), segment(text))

    stories = {s["id"]: s for s in read_jsonl(STORIES)}
    stories.update((s["id"], s) for s in other_stories())
    by_story: dict[str, list] = {}
    out = []
    for row in rows:
        story = stories.get(row["story_id"]) if row["source"] != "written" else None
        if story is not None:
            sid = row["story_id"]
            if sid not in by_story:
                by_story[sid] = [m for m in found(story["text"], date=parse_date(story.get("published")))
                                 if m.kind == "country"]
            base = row["start"]
            out.append([(m.start - base, m.end - base, m.code) for m in by_story[sid]
                        if m.start >= base and m.end <= row["end"]])
        else:
            out.append([(m.start, m.end, m.code) for m in found(row["text"]) if m.kind == "country"])
    return out


def to_docs(rows: list[dict], mentions: list[list[tuple[int, int, str]]] | None = None) -> list[Doc]:
    """Featuriser input for corpus rows: the text with its country mentions (``passage_mentions``)."""
    mentions = passage_mentions(rows) if mentions is None else mentions
    return [Doc(row["text"], tuple((s, e) for s, e, _ in ms)) for row, ms in zip(rows, mentions)]


def main() -> int:
    rows = build()
    with open(PASSAGES, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        counts[(row["source"], row["split"])] = counts.get((row["source"], row["split"]), 0) + 1
    print(f"wrote {len(rows)} passages to {PASSAGES}: " + ", ".join(f"{s}/{p}={n}" for (s, p), n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
