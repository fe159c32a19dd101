"""The scoring engine: article text in, the result object out (same for API, CLI, library).

    from scoring import Scorer
    scorer = Scorer.load()                 # the model models/CURRENT names, verified
    result = scorer.score("Japan and the U.S. agreed ...")
    results = scorer.score_batch([{"id": "a1", "text": "..."}, ...])

One pass over a batch: segment every article into passages, find the actors in every
article, featurise all passages of the batch in one call, score them with one matrix
product, explain, and aggregate passages into countries and pairs. The result shape is
documented in the README ("Result object") and in the OpenAPI document.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

import numpy as np

from . import actors as actors_mod
from .aggregate import countries_and_pairs
from .explain import explain_rows
from .features import Doc, Spans
from .model import Model
from .segment import segment


def parse_date(value: Any) -> dt.date | None:
    """A publication date from a date, datetime or ISO string ("2025-03-14", "2025-03-14 20:28:39Z")."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise ValueError(f"published must be an ISO date (YYYY-MM-DD), got {value[:40]!r}") from None
    raise ValueError("published must be an ISO date string (YYYY-MM-DD)")


class Scorer:
    """Scores articles with one verified model. Thread-safe: it holds no per-call state."""

    def __init__(self, model: Model, top_k: int = 5):
        self.model = model
        self.top_k = top_k

    @classmethod
    def load(cls, version: str | None = None, models: str | None = None) -> "Scorer":
        return cls(Model.load(version=version, models=models))

    @property
    def model_info(self) -> dict:
        return {"version": self.model.version, "sha256": self.model.sha256}

    def score(self, text: str, id: str | None = None, title: str | None = None, published: Any = None,
              explain: bool = True, negative: bool = False) -> dict:
        article = {"id": id, "text": text, "title": title, "published": published}
        return self.score_batch([article], explain=explain, negative=negative)[0]

    def score_batch(self, articles: Iterable[dict], explain: bool = True, negative: bool = False) -> list[dict]:
        """Score many articles at once. Each article: ``{"text", "id"?, "title"?, "published"?, "explain"?}``."""
        articles = list(articles)
        model = self.model
        docs: list[Doc] = []
        offsets: list[int] = []
        per_article = []
        for art in articles:
            text = art.get("text")
            if not isinstance(text, str):
                raise TypeError("each article needs a 'text' string")
            date = parse_date(art.get("published"))
            spans = segment(text)
            mentions = actors_mod.find_actors(text, date=date)
            countries = [m for m in mentions if m.kind == "country"]
            passage_countries = []
            mi = 0
            first = len(docs)
            for start, end in spans:
                while mi < len(countries) and countries[mi].start < start:
                    mi += 1
                inside = []
                j = mi
                while j < len(countries) and countries[j].start < end:
                    if countries[j].end <= end:
                        inside.append(countries[j])
                    j += 1
                docs.append(Doc(text[start:end], tuple((m.start - start, m.end - start) for m in inside)))
                offsets.append(start)
                passage_countries.append(sorted({m.code for m in inside}))
            per_article.append((art, text, spans, mentions, passage_countries, first))

        want_spans = explain and any(a.get("explain", True) for a in articles)
        if want_spans:
            X, spans_all = model.featurizer.transform(docs, spans=True)
        else:
            X, spans_all = model.featurizer.transform(docs), None
        P = model.predict_proba(X) if X.shape[0] else np.zeros((0, len(model.labels)))
        labels, thresholds = model.labels, model.thresholds

        results = []
        for art, text, spans, mentions, passage_countries, first in per_article:
            n = len(spans)
            rows = slice(first, first + n)
            Pa = P[rows]
            explanations = None
            if want_spans and art.get("explain", True) and n:
                part = Spans(spans_all.where[rows], spans_all.words[rows])
                explanations = explain_rows(X[rows], model.coef, part, model.featurizer, offsets[rows], labels,
                                            k=self.top_k, negative=negative)
            passages = []
            for i, (start, end) in enumerate(spans):
                p = Pa[i]
                item = {
                    "index": i, "start": start, "end": end, "text": text[start:end],
                    "countries": passage_countries[i],
                    "scores": {label: round(float(p[j]), 4) for j, label in enumerate(labels)},
                    "labels": [label for j, label in enumerate(labels) if p[j] >= thresholds[j]],
                }
                if explanations is not None:
                    item["explanations"] = explanations[i]
                passages.append(item)
            country_summ, pairs = countries_and_pairs(passage_countries, Pa, labels, thresholds)
            results.append({
                "id": art.get("id"),
                "model": self.model_info,
                "passages": passages,
                "countries": _actor_list(mentions, "country", country_summ),
                "organisations": _actor_list(mentions, "organisation", None),
                "pairs": pairs,
            })
        return results


def _actor_list(mentions, kind: str, summaries: dict | None) -> list[dict]:
    grouped: dict[str, list] = {}
    for m in mentions:
        if m.kind == kind:
            grouped.setdefault(m.code, []).append({"start": m.start, "end": m.end, "text": m.text})
    out = []
    for code in sorted(grouped):
        item = {"code": code, "name": actors_mod.country_name(code), "mentions": grouped[code]}
        if summaries is not None:
            s = summaries.get(code)
            if s is None:  # mentioned only outside any passage (cannot happen with full coverage)
                continue
            item.update({"scores": s["scores"], "labels": s["labels"], "tension": s["tension"], "evidence": s["evidence"]})
        out.append(item)
    return out
