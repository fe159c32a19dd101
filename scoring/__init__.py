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
__all__ = ["Model", "ModelError", "Scorer"]


def __getattr__(name: str):
    # Lazy, so that importing one stage (``scoring.segment``) does not load them all.
    if name == "Scorer":
        from .scorer import Scorer

        return Scorer
    if name in ("Model", "ModelError"):
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module 'scoring' has no attribute {name!r}")
