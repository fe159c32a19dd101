"""Explanations are exact: contributions plus intercept equal the model's logit."""
import numpy as np

from scoring.explain import contributions, top_features
from scoring.features import Doc


DOCS = [
    Doc("Chinese coast guard ships rammed a Philippine supply boat and fired water cannon.", ((0, 7), (42, 52))),
    Doc("The two allies signed a defence pact and will hold joint exercises.", ()),
    Doc("Police detained dozens of activists and journalists without charge.", ()),
    Doc("Nothing to see.", ()),
]


def test_contributions_add_up_to_the_logit(scorer):
    model = scorer.model
    X = model.featurizer.transform(DOCS)
    logits = model.logits(X)
    for row in range(len(DOCS)):
        for j in range(len(model.labels)):
            total = sum(contributions(X, model.coef, row, j).values()) + model.intercept[j]
            assert np.isclose(total, logits[row, j], atol=1e-9)
            assert np.isclose(1 / (1 + np.exp(-total)), model.predict_proba(X)[row, j])


def test_top_features_are_the_largest_contributions_with_their_spans(scorer):
    model = scorer.model
    X, where = model.featurizer.transform(DOCS, spans=True)
    expl = top_features(X, model.coef, where, model.featurizer.feature_names_, [100] * len(DOCS), model.labels, k=3)
    for row, doc in enumerate(DOCS):
        for j, label in enumerate(model.labels):
            contrib = contributions(X, model.coef, row, j)
            best = sorted((v for v in contrib.values() if v > 0), reverse=True)[:3]
            got = [f["weight"] for f in expl[row][label]]
            assert np.allclose(got, np.round(best, 4))
            for f in expl[row][label]:
                assert f["spans"], f
                for s, e in f["spans"]:
                    piece = doc.text[s - 100:e - 100].lower()
                    if not f["feature"].startswith("cameo:") and "COUNTRY" not in f["feature"]:
                        assert piece.replace("’", "'").split()[0].startswith(f["feature"].split()[0][:3])
