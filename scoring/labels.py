"""The three labels (docs/LABELS.md) and the tension formula built on them.

Every score the project produces is a probability for one of ``LABELS``. ``tension``
combines a pair's (or country's) label scores into one number in [-1, 1]:

    hostility = 1 - (1 - coercion) * (1 - human_rights)   # chance that either holds
    tension   = hostility - alliance

+1 is most hostile (coercion or human-rights abuse certain, no alignment), -1 most
cooperative (alignment certain, nothing hostile), 0 nothing either way, or both at once.
It rises with coercion and human_rights and falls with alliance.
"""
from __future__ import annotations

LABELS: tuple[str, ...] = ("alliance", "coercion", "human_rights")

TENSION_FORMULA = "tension = (1 - (1 - coercion) * (1 - human_rights)) - alliance"


def tension(scores: dict[str, float]) -> float:
    hostility = 1.0 - (1.0 - scores["coercion"]) * (1.0 - scores["human_rights"])
    return round(max(-1.0, min(1.0, hostility - scores["alliance"])), 4)
