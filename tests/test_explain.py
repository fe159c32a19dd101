"""Explanations are exact: every item's contribution plus the intercept equals the model's logit."""
import numpy as np
import pytest

from scoring.explain import explain_rows
from scoring.features import Doc


DOCS = [
    Doc("Chinese coast guard ships rammed a Philippine supply boat and fired water cannon.", ((0, 7), (42, 52))),
    Doc("The two allies signed a defence pact and will hold joint exercises.", ()),
    Doc("Police detained dozens of activists and journalists without charge.", ()),
    Doc("Nothing to see.", ()),
    Doc("", ()),
]
OFFSET = 100


def _explain(model, k):
    X, spans = model.featurizer.transform(DOCS, spans=True)
    return X, explain_rows(X, model.coef, spans, model.featurizer, [OFFSET] * len(DOCS), model.labels, k=k)


def test_all_contributions_add_up_to_the_logit(scorer):
    model = scorer.model
    X, expl = _explain(model, None)
    logits = model.logits(X)
    for row in range(len(DOCS)):
        for j, label in enumerate(model.labels):
            total = sum(item["weight"] for item in expl[row][label]) + model.intercept[j]
            assert np.isclose(total, logits[row, j], atol=1e-9), (row, label)
            assert np.isclose(1 / (1 + np.exp(-total)), model.predict_proba(X)[row, j])


def test_top_items_are_the_largest_with_spans_on_their_words(scorer):
    model = scorer.model
    _, full = _explain(model, None)
    _, top = _explain(model, 3)
    for row, doc in enumerate(DOCS):
        for label in model.labels:
            best = sorted((i["weight"] for i in full[row][label] if i["weight"] > 0), reverse=True)[:3]
            assert [i["weight"] for i in top[row][label]] == [round(w, 4) for w in best]
            for item in top[row][label]:
                assert item["spans"], item
                for s, e in item["spans"]:
                    piece = doc.text[s - OFFSET:e - OFFSET]
                    if not item["feature"].startswith("cameo:") and "COUNTRY" not in item["feature"]:
                        assert piece.lower().replace("’", "'").startswith(item["feature"].split()[0][:4])


def test_words_unseen_in_training_still_explain_through_their_vectors(scorer):
    model = scorer.model
    if not model.featurizer.use_vectors:
        pytest.skip("the served model does not use word vectors")
    doc = Doc("The junta bombarded villages.", ())
    X, spans = model.featurizer.transform([doc], spans=True)
    expl = explain_rows(X, model.coef, spans, model.featurizer, [0], model.labels, k=None)
    assert {i["feature"] for i in expl[0]["coercion"]} >= {"bombarded"}


def test_the_sparse_block_alone_explains_the_same(scorer):
    """Scoring passes only the sparse block to explain_rows: the items must not change."""
    model = scorer.model
    X, spans = model.featurizer.transform(DOCS, spans=True)
    (sparse, _), _ = model.featurizer.transform(DOCS, spans=True, split=True)
    for k in (None, 3):
        full = explain_rows(X, model.coef, spans, model.featurizer, [OFFSET] * len(DOCS), model.labels, k=k)
        block = explain_rows(sparse, model.coef, spans, model.featurizer, [OFFSET] * len(DOCS), model.labels, k=k)
        assert block == full
