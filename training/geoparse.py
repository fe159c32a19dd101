"""A geoparsing evaluation of the country recogniser: ``python -m training.geoparse``.

``training/data/geoparse/articles.jsonl`` holds real, licensed articles (local and regional
news beside international news; each keeps its URL and licence) and
``training/data/geoparse/gold.jsonl`` every span in them that stands for a country, labelled
by hand against docs/LABELS.md ("Countries and pairs"): names, demonyms, capitals and seats
of government used for the state, institutions, office holders at the article's date. Places
that carry a country's name (British Columbia, New South Wales, a town called Lebanon) are
not country mentions. A gold line: ``{"id", "mentions": [{"text", "nth", "code"}]}``, where
``nth`` is which occurrence of ``text`` in the article it is (0 = the first); ``--check``
turns them into offsets and says what does not resolve.

Reported, against ``scoring.actors.find_actors`` run on the whole article with its date:
mention precision and recall (a predicted mention is right when its span overlaps a gold
span of the same code), and per article the false countries (codes predicted that the gold
never has) and missed countries. ``--json FILE`` writes everything, with every error.

Each set's gold is built (``--build-gold``) from two independent annotation passes
(``[test_|test2_]gold_pass1.jsonl``, ``gold_pass2.jsonl``): the spans both marked, and of the
spans only one marked, those an adjudication against LABELS.md kept
(``gold_adjudication.jsonl``, one decision with its reason per span). Three sets: ``--set dev``
(the default; ``articles.jsonl`` / ``gold.jsonl``, 60 articles whose errors were read while
the recogniser's rules were written), ``--set test`` (``test_articles.jsonl`` /
``test_gold.jsonl``, 67 other articles labelled blind, by a labeller who never saw the
recogniser's output; read since) and ``--set test2``
(``test2_articles.jsonl`` / ``test2_gold.jsonl``, 59 more, collected and labelled blind after
the rules were written; report it, do not tune on it).
``--articles`` and ``--gold`` take any other files. ``--agreement OTHER_GOLD`` compares two
annotators' gold for the same articles instead (and lists the disagreements to adjudicate).

``--capitals`` measures one rule on far more text: whether a capital stands for its state
(docs/actors.md, "Capitals"), judged against the countries the labellers gave each passage of
the passage corpus: the train and dev splits of the real sources, whose errors the rules were
written from, and the test split, held out (its counts only, never its examples). Only
capitals whose country has no other mention in the passage count, so a labelled country is
there because of the capital: accepted and labelled, accepted but not labelled (a false
country), rejected but labelled (a missed one), rejected and not labelled. ``--coreference``
does the same for the countries "the two sides", "the leaders" and the like stand for, and
"the President", "the foreign minister" and the like (``scoring.coreference``): how many the
labellers also gave the passage, how many not, and how many of the labelled pairs (those
carrying a label) the mentions found cover.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scoring.actors import find_actors
from scoring.scorer import parse_date
from training.corpus import read_jsonl

DIR = Path(__file__).parent / "data" / "geoparse"


def resolve(text: str, mentions: list[dict]) -> tuple[list[tuple[int, int, str]], list[str]]:
    """Gold mentions as (start, end, code) offsets, and the problems of those that do not resolve."""
    spans, problems = [], []
    for m in mentions:
        at, n = -1, int(m.get("nth", 0))
        for _ in range(n + 1):
            at = text.find(m["text"], at + 1)
            if at < 0:
                break
        if at < 0:
            problems.append(f"{m['text']!r} occurrence {n} not found")
            continue
        spans.append((at, at + len(m["text"]), m["code"]))
    return sorted(set(spans)), problems


def _match(xs: list[tuple], ys: list[tuple], one_to_one: bool) -> tuple[list[tuple], list[tuple]]:
    """Each span of ``xs`` with the first span of ``ys`` of the same code that overlaps it (or
    None), and the spans of ``ys`` nothing matched. With ``one_to_one`` a span of ``ys`` matches
    at most once (two annotators); without, several predictions may match one gold span."""
    matched: set = set()
    hits = []
    for x in xs:
        hit = next((y for y in ys if y[2] == x[2] and y[0] < x[1] and x[0] < y[1]
                    and not (one_to_one and y in matched)), None)
        hits.append((x, hit))
        if hit is not None:
            matched.add(hit)
    return hits, [y for y in ys if y not in matched]


def agreement(articles: list[dict], first: dict[str, list], second: dict[str, list]) -> dict:
    """Two annotators' mentions of the same articles: how many spans (same code, overlapping)
    both marked, each alone, the F1 between them, and every disagreement with its context
    (for adjudication)."""
    both = only_first = only_second = 0
    disagreements = []
    for art in articles:
        text = art["text"]
        a, _ = resolve(text, first.get(art["id"], []))
        b, _ = resolve(text, second.get(art["id"], []))
        hits, lone_second = _match(a, b, one_to_one=True)
        both += sum(h is not None for _, h in hits)
        lone = [("first", g) for g, h in hits if h is None] + [("second", h) for h in lone_second]
        only_first += sum(who == "first" for who, _ in lone)
        only_second += len(lone_second)
        disagreements += [{"id": art["id"], "marked_by": who, "code": g[2], "text": text[g[0]:g[1]], "start": g[0],
                           "context": text[max(0, g[0] - 80):g[1] + 80]} for who, g in lone]
    f1 = 2 * both / (2 * both + only_first + only_second) if both else 0.0
    return {"both": both, "only_first": only_first, "only_second": only_second, "f1": round(f1, 4),
            "disagreements": disagreements}


def adjudicated_gold(articles: list[dict], first: dict[str, list], second: dict[str, list],
                     decisions: list[dict]) -> dict[str, list]:
    """The gold after two annotation passes: every span both marked (``agreement``), and every
    span one marked that the adjudication keeps (``decisions``: ``{"id", "start", "text",
    "code", "keep"}``). Spans as ``{"text", "nth", "code"}``, in text order."""
    keep = {(d["id"], d["start"], d["text"], d["code"]) for d in decisions if d["keep"]}
    res = agreement(articles, first, second)
    lone = {(d["id"], d["start"], d["text"], d["code"]) for d in res["disagreements"]}
    missing = {(d["id"], d["start"], d["text"], d["code"]) for d in decisions} ^ lone
    if missing:
        raise ValueError(f"the decisions and the disagreements differ on {len(missing)} spans, e.g. {sorted(missing)[0]}")
    out = {}
    for art in articles:
        text = art["text"]
        spans = [g for g in resolve(text, first.get(art["id"], []))[0]
                 if (art["id"], g[0], text[g[0]:g[1]], g[2]) not in lone]
        spans += [(s, s + len(t), c) for (i, s, t, c) in sorted(keep) if i == art["id"]]
        mentions = []
        for s, e, c in sorted(set(spans)):
            t = text[s:e]
            nth, at = 0, text.find(t)
            while at != s:
                nth, at = nth + 1, text.find(t, at + 1)
            mentions.append({"text": t, "nth": nth, "code": c})
        out[art["id"]] = mentions
    return out


def evaluate(articles: list[dict], gold: dict[str, list]) -> dict:
    tp = fp = fn = 0
    per_article, errors = [], []
    for art in articles:
        spans, problems = resolve(art["text"], gold.get(art["id"], []))
        if problems:
            raise ValueError(f"{art['id']}: " + "; ".join(problems))
        found = [(m.start, m.end, m.code) for m in find_actors(art["text"], date=parse_date(art.get("published")))
                 if m.kind == "country"]
        hits, missed = _match(found, spans, one_to_one=False)
        for (s, e, c), hit in hits:
            if hit is None:
                fp += 1
                errors.append({"id": art["id"], "kind": "false mention", "code": c, "text": art["text"][s:e],
                               "context": art["text"][max(0, s - 60):e + 60]})
            else:
                tp += 1
        for g in missed:
            fn += 1
            errors.append({"id": art["id"], "kind": "missed mention", "code": g[2], "text": art["text"][g[0]:g[1]],
                           "context": art["text"][max(0, g[0] - 60):g[1] + 60]})
        gold_codes, found_codes = {c for *_, c in spans}, {c for *_, c in found}
        per_article.append({"id": art["id"], "section": art.get("section"),
                            "false_countries": sorted(found_codes - gold_codes),
                            "missed_countries": sorted(gold_codes - found_codes)})
    n = len(articles)
    with_false = [a for a in per_article if a["false_countries"]]
    return {
        "articles": n, "gold_mentions": tp + fn, "predicted_mentions": tp + fp,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "articles_with_a_false_country": len(with_false),
        "false_country_rate": round(len(with_false) / n, 4) if n else None,
        "per_article": per_article, "errors": errors,
    }


def capital_decisions(splits: tuple[str, ...] = ("train", "dev"), examples: int = 0) -> dict:
    """The recogniser's decision on every capital of the passages of ``splits``, against the
    labellers' countries (see the module's docstring); ``examples`` of each error kind too."""
    import random

    from scoring.actors import CAPITAL, default_recognizer, normalise
    from training import corpus

    rec = default_recognizer()
    rows = [r for r in corpus.load() if r["split"] in splits and r["source"] != "written"]
    counts = {"accepted, labelled": 0, "accepted, not labelled": 0, "rejected, labelled": 0,
              "rejected, not labelled": 0}
    cases: dict[str, list[str]] = {k: [] for k in counts}
    for row, mentions in zip(rows, corpus.passage_mentions(rows)):
        text = row["text"]
        hits, _ = rec._candidates(normalise(text))
        for s, e, _senses, (what, code) in rec._pick(text, hits):
            if what != CAPITAL or any(c == code and not a <= s < b for a, b, c in mentions):
                continue
            accepted = any(a == s and c == code for a, b, c in mentions)
            key = ("accepted" if accepted else "rejected") + (", labelled" if code in row["countries"] else
                                                              ", not labelled")
            counts[key] += 1
            cases[key].append(f"{code}: ...{text[max(0, s - 70):e + 50]}...".replace("\n", " "))
    rng = random.Random(0)
    return {"passages": len(rows), "counts": counts,
            "examples": {k: rng.sample(v, min(examples, len(v))) for k, v in cases.items() if "," in k
                         and (k.startswith("accepted, not") or k.startswith("rejected, labelled"))}}


def implied_decisions(splits: tuple[str, ...] = ("train", "dev")) -> dict:
    """The countries ``scoring.coreference`` gives "the two sides" and the like, and "the
    President" and the like, in the passages of ``splits``, against the labellers' countries, and
    the labelled pairs the mentions find."""
    from scoring.coreference import _anaphors, _phrases
    from training import corpus

    rows = [r for r in corpus.load() if r["split"] in splits and r["source"] != "written"]
    counts = {"implied, labelled": 0, "implied, not labelled": 0, "title, labelled": 0, "title, not labelled": 0,
              "labelled pairs": 0, "labelled pairs found": 0}
    for row, mentions in zip(rows, corpus.passage_mentions(rows)):
        phrases = {(s, e) for s, e, _ in _phrases(row["text"])}
        anaphors = {(s, e) for s, e, _ in _anaphors(row["text"])}
        for s, e, code in mentions:
            kind = "implied" if (s, e) in phrases else "title" if (s, e) in anaphors else None
            if kind:
                counts[f"{kind}, labelled" if code in row["countries"] else f"{kind}, not labelled"] += 1
        found = {code for _, _, code in mentions}
        for pair in row.get("pairs") or []:
            if pair["labels"]:
                counts["labelled pairs"] += 1
                counts["labelled pairs found"] += set(pair["pair"]) <= found
    return {"passages": len(rows), "counts": counts}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.geoparse", description=__doc__.split("\n")[0])
    ap.add_argument("--set", choices=("dev", "test", "test2"), default="dev",
                    help="dev: the articles the rules were written against; test: the first held-out set "
                         "(read since); test2: the second, labelled after the rules it measures")
    ap.add_argument("--articles", type=Path, default=None, help="articles (JSON lines); overrides --set")
    ap.add_argument("--gold", type=Path, default=None, help="gold mentions (JSON lines); overrides --set")
    ap.add_argument("--check", action="store_true", help="only check that every gold mention resolves")
    ap.add_argument("--build-gold", action="store_true",
                    help="rebuild the set's gold from its two passes and adjudication (<prefix>gold_pass1.jsonl, "
                         "gold_pass2.jsonl, gold_adjudication.jsonl) and print the agreement")
    ap.add_argument("--agreement", type=Path, default=None,
                    help="a second annotator's gold for the same articles: print the agreement with --gold "
                         "(and, with --json, every disagreement) instead of evaluating the recogniser")
    ap.add_argument("--capitals", action="store_true",
                    help="measure the capital rule against the passage corpus's country labels instead")
    ap.add_argument("--coreference", action="store_true",
                    help="measure the countries 'the two sides', 'the President' and the like stand for "
                         "against the passage corpus's country labels instead")
    ap.add_argument("--json", type=Path, help="also write the results, with every error, here")
    args = ap.parse_args(argv)
    if args.capitals or args.coreference:
        if args.capitals:
            what = "capitals whose country the passage names no other way"
            res = {"train+dev": capital_decisions(("train", "dev"), examples=20), "test": capital_decisions(("test",))}
            res["test"].pop("examples")
        else:
            what = "countries that 'the two sides' ('implied') and 'the President' ('title') stand for"
            res = {"train+dev": implied_decisions(("train", "dev")), "test": implied_decisions(("test",))}
        for name, r in res.items():
            print(f"{what}, in {r['passages']} {name} passages:")
            for k, v in r["counts"].items():
                print(f"  {k:<24} {v}")
        for k, v in res["train+dev"].get("examples", {}).items():
            print(f"{k} (train+dev):")
            for x in v:
                print(f"  {x}")
        if args.json:
            args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return 0
    prefix = "" if args.set == "dev" else f"{args.set}_"
    args.articles = args.articles or DIR / f"{prefix}articles.jsonl"
    args.gold = args.gold or DIR / f"{prefix}gold.jsonl"
    articles = read_jsonl(args.articles)
    if args.build_gold:
        first, second = (read_jsonl(DIR / f"{prefix}gold_pass{k}.jsonl") for k in (1, 2))
        first, second = ({g["id"]: g["mentions"] for g in rows} for rows in (first, second))
        res = agreement(articles, first, second)
        gold_rows = adjudicated_gold(articles, first, second, read_jsonl(DIR / f"{prefix}gold_adjudication.jsonl"))
        with open(args.gold, "w", encoding="utf-8") as f:
            for art in articles:
                f.write(json.dumps({"id": art["id"], "mentions": gold_rows[art["id"]]}, ensure_ascii=False) + "\n")
        print(f"wrote {args.gold}: {sum(map(len, gold_rows.values()))} mentions; the passes agreed on {res['both']}, "
              f"F1 between them {res['f1']}; {len(res['disagreements'])} adjudicated")
        return 0
    gold = {g["id"]: g["mentions"] for g in read_jsonl(args.gold)}
    if args.check:
        bad = 0
        texts = {a["id"]: a["text"] for a in articles}
        for i, mentions in gold.items():
            if i not in texts:
                print(f"{i}: not in {args.articles}")
                bad += 1
                continue
            for p in resolve(texts[i], mentions)[1]:
                print(f"{i}: {p}")
                bad += 1
        missing = [a["id"] for a in articles if a["id"] not in gold]
        for i in missing:
            print(f"{i}: no gold line")
        print(f"{len(gold)} gold lines, {bad + len(missing)} problems", file=sys.stderr)
        return 1 if bad or missing else 0
    if args.agreement:
        res = agreement(articles, gold, {g["id"]: g["mentions"] for g in read_jsonl(args.agreement)})
        print(f"{res['both']} mentions marked by both annotators, {res['only_first']} by the first only, "
              f"{res['only_second']} by the second only: F1 between them {res['f1']}")
        if args.json:
            args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return 0
    res = evaluate(articles, gold)
    print(f"{res['articles']} articles, {res['gold_mentions']} gold country mentions")
    print(f"mention precision {res['precision']}, recall {res['recall']}")
    print(f"articles naming a country that is not in them: {res['articles_with_a_false_country']} "
          f"({res['false_country_rate']})")
    for e in res["errors"]:
        print(f"  {e['kind']:<15} {e['code']} {e['text']!r}  ({e['id']}): ...{e['context'].replace(chr(10), ' ')}...")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
