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
import os
import time
from bisect import bisect_left
from itertools import compress
from typing import Any, Iterable

import numpy as np

from . import actors as actors_mod
from .aggregate import PairScores, countries_and_pairs
from .coreference import with_coreference
from .explain import explain_rows
from .features import Doc
from .gcpause import gc_paused
from .labels import AGENT_LABELS
from .model import Model
from .pairs import PairRow, explain_pair, passage_pairs
from .result import Result
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
    """Scores articles with one verified model. Thread-safe: it holds no per-call state.

    ``Scorer.load()`` loads the model the package ships (or the one ``$TENSION_MODELS_DIR``
    holds); ``score`` and ``score_batch`` return :class:`scoring.result.Result` dicts: the
    article's passages with their scores, labels and explanations, its countries and
    organisations, and its pairs of countries (README, "The result object").
    """

    def __init__(self, model: Model, top_k: int = 5):
        self.model = model
        self.top_k = top_k

    @classmethod
    def load(cls, version: str | None = None, models: str | os.PathLike | None = None) -> "Scorer":
        """The scorer for a verified model bundle.

        ``models`` is a directory of bundles (default: ``$TENSION_MODELS_DIR``, else the model
        shipped with the package); ``version`` the bundle's directory name in it (default: the
        one its ``CURRENT`` file names). Raises :class:`scoring.model.ModelError`, with a
        one-line reason, when the bundle is missing, altered (sha256) or of another format.
        """
        return cls(Model.load(version=version, models=models))

    @property
    def model_info(self) -> dict:
        return {"version": self.model.version, "sha256": self.model.sha256}

    def score(self, text: str, id: str | None = None, title: str | None = None, published: Any = None,
              explain: bool = True, negative: bool = False) -> Result:
        """Score one article.

        ``published`` (a date or ``"YYYY-MM-DD"``) makes office holders count only if they
        held office that day. ``explain=False`` leaves out the explanations (faster);
        ``negative=True`` adds each label's most negative contributions to them.
        """
        article = {"id": id, "text": text, "title": title, "published": published}
        return self.score_batch([article], explain=explain, negative=negative)[0]

    def score_batch(self, articles: Iterable[dict], explain: bool = True, negative: bool = False,
                    timings: dict | None = None) -> list[Result]:
        """Score many articles at once. Each article: ``{"text", "id"?, "title"?, "published"?, "explain"?}``.

        ``timings``, when given, accumulates seconds per stage (segmentation, countries,
        features, model, explanations, aggregation): the benchmark reads it.
        """
        with gc_paused():
            return self._score_batch(list(articles), explain, negative, _Clock(timings))

    def _score_batch(self, articles: list[dict], explain: bool, negative: bool, clock: "_Clock") -> list[dict]:
        model = self.model
        docs: list[Doc] = []
        offsets: list[int] = []
        pair_inputs: list[tuple] = []  # (text, mentions, row) of every passage with two or more countries
        per_article = []
        for art in articles:
            text = art.get("text")
            if not isinstance(text, str):
                raise TypeError("each article needs a 'text' string")
            date = parse_date(art.get("published"))
            clock.lap(None)
            spans = segment(text)
            clock.lap("segmentation")
            # names, and "the two sides" or "the President" for the countries they stand for
            named = actors_mod.find_actors(text, date=date)
            mentions = with_coreference(text, named, spans)
            countries = [m for m in mentions if m.kind == "country"]
            c_starts = [m.start for m in countries]
            passage_countries = []
            first = len(docs)
            hi = 0
            for start, end in spans:
                lo = bisect_left(c_starts, start, hi)
                hi = bisect_left(c_starts, end, lo)
                if lo == hi:  # most passages name no country
                    docs.append(Doc(text[start:end]))
                    passage_countries.append([])
                    continue
                inside = [(m.start - start, m.end - start, m.code) for m in countries[lo:hi] if m.end <= end]
                docs.append(Doc(text[start:end], tuple([(s, e) for s, e, _ in inside])))
                codes = sorted({code for _, _, code in inside})
                passage_countries.append(codes)
                if len(codes) > 1:  # pairs: who does what to whom in this passage (read in _pairs)
                    pair_inputs.append((docs[-1].text, inside, len(docs) - 1))
            offsets += [start for start, _ in spans]
            implied = set(mentions).difference(named) if len(mentions) > len(named) else None
            per_article.append((art, spans, mentions, implied, passage_countries, first))
            clock.lap("countries")

        want_spans = explain and any(a.get("explain", True) for a in articles)
        if want_spans:
            X, spans_all = model.featurizer.transform(docs, spans=True, split=True)
        else:
            X, spans_all = model.featurizer.transform(docs, split=True), None
        clock.lap("features")
        P = model.predict_proba(X) if docs else np.zeros((0, len(model.labels)))
        labels, thresholds = model.labels, model.thresholds
        clock.lap("model")
        explanations_all = (explain_rows(X[0], model.coef, spans_all, model.featurizer, offsets, labels,
                                         k=self.top_k, negative=negative) if want_spans else None)
        clock.lap("explanations")

        pairs_all = self._pairs([r for text, ms, row in pair_inputs for r in passage_pairs(text, ms, row=row)], P,
                                [first for *_, first in per_article])
        clock.lap("pairs")

        rounded_all = np.round(P, 4).tolist()
        passed_all = [list(compress(labels, row)) for row in (P >= thresholds).tolist()]
        results = []
        for art, spans, mentions, implied, passage_countries, first in per_article:
            n = len(spans)
            explanations = (explanations_all[first:first + n] if want_spans and art.get("explain", True)
                            else None)
            passages = [
                {"index": i, "start": start, "end": end, "text": doc.text, "countries": codes,
                 "scores": dict(zip(labels, scores)), "labels": passed}
                for i, ((start, end), doc, codes, scores, passed) in enumerate(
                    zip(spans, docs[first:first + n], passage_countries, rounded_all[first:first + n],
                        passed_all[first:first + n]))
            ]
            if explanations is not None:
                for item, expl in zip(passages, explanations):
                    item["explanations"] = expl
            article_pairs = pairs_all(first, first + n, want_spans and art.get("explain", True), offsets)
            country_summ, pairs = countries_and_pairs(passage_countries, P[first:first + n], labels, thresholds,
                                                      article_pairs, model.pairs.thresholds)
            results.append({
                "id": art.get("id"),
                "model": self.model_info,
                "passages": passages,
                "countries": _actor_list(mentions, "country", country_summ, implied),
                "organisations": _actor_list(mentions, "organisation", None),
                "pairs": pairs,
            })
        clock.lap("aggregation")
        return results

    def _pairs(self, rows: list[PairRow], P: np.ndarray, firsts: list[int]):
        """Pair-level scores of a batch's pairs (``firsts``: each article's first passage);
        returns ``for_article(first, stop, explain, offsets)`` giving one article's
        :class:`PairScores` (passages ``first:stop``)."""
        pm = self.model.pairs
        if rows:
            relation = 1.0 / (1.0 + np.exp(-pm.relation_logits(pm.vocab.transform([r.names for r in rows]))))
            Pp = relation * P[[r.passage for r in rows]]
        else:
            relation = Pp = np.zeros((0, len(pm.labels)))
        # agents are shown for a label a pair carries, from its best passage for that label
        # (aggregate._pair_summaries): only those rows are read
        needed = set()
        keys = [(bisect_left(firsts, r.passage + 1), r.a, r.b) for r in rows]  # (article, pair)
        for j in [pm.labels.index(label) for label in AGENT_LABELS]:
            best: dict[tuple, int] = {}
            column, t = Pp[:, j].tolist(), float(pm.thresholds[j])
            for k, key in enumerate(keys):
                if column[k] < t:  # a pair's best row below the threshold shows no agents
                    continue
                b = best.get(key)
                if b is None or column[k] > column[b]:  # the first of ties, as the aggregation
                    best[key] = k
            needed.update(best.values())
        agents = pm.agents(rows, only=sorted(needed))
        where = [r.passage for r in rows]

        def for_article(first: int, stop: int, explain: bool, offsets: list[int]) -> PairScores:
            lo, hi = bisect_left(where, first), bisect_left(where, stop)
            mine = [PairRow(r.passage - first, r.a, r.b, r.names, r.reading) for r in rows[lo:hi]]
            explainer = None
            if explain:
                def explainer(k: int, label: int) -> list[dict]:
                    return explain_pair(pm, mine[k], label, offsets[first + mine[k].passage], self.top_k)
            return PairScores(mine, Pp[lo:hi], agents[lo:hi], relation[lo:hi], explainer)

        return for_article


class _Clock:
    """Accumulates CPU seconds of this thread per stage into a dict (a no-op without one).

    CPU time rather than wall time, so a busy machine does not blur the stage split.
    """

    def __init__(self, into: dict | None):
        self.into = into
        self.last = time.thread_time() if into is not None else 0.0

    def lap(self, stage: str | None) -> None:
        if self.into is None:
            return
        now = time.thread_time()
        if stage:
            self.into[stage] = self.into.get(stage, 0.0) + now - self.last
        self.last = now


def _actor_list(mentions, kind: str, summaries: dict | None, implied=None) -> list[dict]:
    """The countries (organisations) of ``mentions`` with their mentions, those in ``implied``
    (from ``scoring.coreference``: "the two leaders", "the President") marked ``"implied": true``."""
    grouped: dict[str, list] = {}
    for m in mentions:
        if m.kind == kind:
            item = {"start": m.start, "end": m.end, "text": m.text}
            if implied and m in implied:
                item["implied"] = True
            grouped.setdefault(m.code, []).append(item)
    out = []
    for code in sorted(grouped):
        item = {"code": code, "name": actors_mod.country_name(code), "mentions": grouped[code]}
        if summaries is not None:
            s = summaries.get(code)
            if s is None:  # mentioned only outside any passage (cannot happen with full coverage)
                continue
            item.update(s)  # scores, labels, tension, evidence, roles
        out.append(item)
    return out
