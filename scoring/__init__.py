"""Geopolitical tension scoring engine: passages, countries, scores, explanations, pairs.

    from scoring import Scorer
    result = Scorer.load().score("Japan and the U.S. agreed to deepen their alliance.")

Importable without Flask. Modules, in the order an article flows through them:
``segment`` (passages) -> ``actors`` (countries and organisations) -> ``features``
(sparse matrix) -> ``model`` (verified bundle, probabilities) -> ``explain`` (feature
contributions with spans) -> ``aggregate`` (countries and pairs) -> ``scorer`` (the result
object). ``labels`` defines the labels and the tension formula; ``schemas`` the request and
response shapes shared with the API and the CLI.
"""
from .model import Model, ModelError
from .scorer import Scorer

__all__ = ["Model", "ModelError", "Scorer"]
