"""Geopolitical tension scoring engine: passages, countries, scores, explanations, pairs.

    from scoring import Scorer
    scorer = Scorer.load()                    # the shipped model (or $TENSION_MODELS_DIR), sha256-verified
    result = scorer.score("Japan and the U.S. agreed to deepen their alliance.")
    for pair in result["pairs"]:
        print(pair["pair"], pair["tension"], pair["labels"])

Importable without Flask, SQLAlchemy or Dask: this is the bottom layer, and the command
line (``tension_cli``), the store, the service and the training scripts are built on it.
Modules, in the order an article flows through them: ``segment`` (passages) -> ``actors``
(countries and organisations; :func:`find_actors`) -> ``features`` (sparse matrix) ->
``model`` (verified bundle, probabilities) -> ``explain`` (feature contributions with spans)
-> ``pairs`` (pair-level labels and agents: who does what to whom) -> ``aggregate``
(countries, their roles, and pairs) -> ``scorer`` (the result object, whose shape
``scoring.result`` types). ``labels`` defines the labels and the tension formula;
``schemas`` the request and response shapes shared with the API and the CLI.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Mention", "Model", "ModelError", "Result", "Scorer", "find_actors"]

if TYPE_CHECKING:
    from .actors import Mention, find_actors
    from .model import Model, ModelError
    from .result import Result
    from .scorer import Scorer

_WHERE = {"Scorer": "scorer", "Model": "model", "ModelError": "model", "find_actors": "actors",
          "Mention": "actors", "Result": "result"}


def __getattr__(name: str):
    # Lazy, so that importing one stage (``scoring.segment``) does not load them all.
    if name in _WHERE:
        from importlib import import_module

        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'scoring' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
