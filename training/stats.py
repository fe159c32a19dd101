"""Counts for the data card: ``python -m training.stats`` prints Markdown tables.

Passages per source and split, positives per label and split, stories per split, the
label combinations, the labelled pairs per label and split, and the real passages per source
and decade with their positives per label; docs/data.md quotes this output.
"""
from __future__ import annotations

import sys
from collections import Counter

from scoring.labels import AGENT_LABELS, LABELS
from training import corpus


def tables(rows: list[dict]) -> str:
    out = []
    splits = corpus.SPLITS
    out.append("| source | " + " | ".join(splits) + " | all |")
    out.append("|---|" + "---|" * (len(splits) + 1))
    for source in sorted({r["source"] for r in rows}):
        counts = Counter(r["split"] for r in rows if r["source"] == source)
        out.append(f"| {source} passages | " + " | ".join(str(counts[s]) for s in splits) + f" | {sum(counts.values())} |")
        stories = {s: len({r["story_id"] for r in rows if r["source"] == source and r["split"] == s}) for s in splits}
        out.append(f"| {source} stories | " + " | ".join(str(stories[s]) for s in splits) + f" | {sum(stories.values())} |")
    out.append("")
    out.append("| source | decade | stories | passages | " + " | ".join(LABELS) + " | labelled pairs |")
    out.append("|---|---|---|---|" + "---|" * (len(LABELS) + 1))
    cells: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        if r["source"] != "written":
            published = str(r.get("published") or "")
            cells.setdefault((r["source"], f"{published[:3]}0s" if published[:4].isdigit() else "?"), []).append(r)
    for (source, dec), rs in sorted(cells.items()):
        out.append(f"| {source} | {dec} | {len({r['story_id'] for r in rs})} | {len(rs)} | "
                   + " | ".join(str(sum(label in r["labels"] for r in rs)) for label in LABELS)
                   + f" | {sum(len(r.get('pairs') or []) for r in rs)} |")
    out.append("")
    out.append("| label (positives) | " + " | ".join(f"{s} voa / written" for s in splits) + " | all |")
    out.append("|---|" + "---|" * (len(splits) + 1))
    for label in LABELS:
        cells = []
        for s in splits:
            v = sum(1 for r in rows if r["split"] == s and r["source"] == "voa" and label in r["labels"])
            w = sum(1 for r in rows if r["split"] == s and r["source"] == "written" and label in r["labels"])
            cells.append(f"{v} / {w}")
        total = sum(1 for r in rows if label in r["labels"])
        out.append(f"| {label} | " + " | ".join(cells) + f" | {total} ({total / len(rows):.1%}) |")
    none = sum(1 for r in rows if not r["labels"])
    out.append(f"| none of the three | " + " | ".join(
        str(sum(1 for r in rows if r["split"] == s and not r["labels"])) for s in splits) + f" | {none} ({none / len(rows):.1%}) |")
    out.append("")
    combos = Counter("+".join(r["labels"]) or "(none)" for r in rows)
    out.append("| label combination | passages |")
    out.append("|---|---|")
    for combo, n in combos.most_common():
        out.append(f"| {combo} | {n} |")
    with_pair = sum(1 for r in rows if len(r["countries"]) >= 2)
    out.append("")
    out.append(f"Passages naming at least one country: {sum(1 for r in rows if r['countries'])}; "
               f"at least two (a pair): {with_pair}; distinct countries: {len({c for r in rows for c in r['countries']})}.")
    out.append("")
    out.append("| pairs (labelled) | " + " | ".join(splits) + " | all |")
    out.append("|---|" + "---|" * (len(splits) + 1))
    pairs = {sp: [p for r in rows if r["split"] == sp for p in (r.get("pairs") or [])] for sp in splits}
    every = [p for sp in splits for p in pairs[sp]]
    out.append("| pairs | " + " | ".join(str(len(pairs[sp])) for sp in splits) + f" | {len(every)} |")
    for label in LABELS:
        out.append(f"| {label} | " + " | ".join(str(sum(label in p["labels"] for p in pairs[sp])) for sp in splits)
                   + f" | {sum(label in p['labels'] for p in every)} |")
    out.append("| no label | " + " | ".join(str(sum(not p["labels"] for p in pairs[sp])) for sp in splits)
               + f" | {sum(not p['labels'] for p in every)} |")
    for label in AGENT_LABELS:
        both = sum(len(p["agents"].get(label, [])) == 2 for p in every)
        out.append(f"| {label}: both members agents | " + " | ".join(
            str(sum(len(p["agents"].get(label, [])) == 2 for p in pairs[sp])) for sp in splits) + f" | {both} |")
    return "\n".join(out)


def main() -> int:
    print(tables(corpus.load()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
