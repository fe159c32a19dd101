"""The three labels (docs/LABELS.md) and the tension rule built on them.

Every score the project produces is a probability for one of ``LABELS``. ``tension``
combines a pair's (or country's) label scores into one number in [-1, 1]. With
``hostility = 1 - (1 - coercion) * (1 - human_rights)`` (the chance that either hostile label
holds) and ``alliance`` taken as independent chances, tension is the expected value of

    +1   hostile, not allied
    -1   allied, not hostile
    +1/2 both: partners in a dispute (allied in one passage, coerced in another)
     0   neither

that is ``tension = hostility - alliance + hostility * alliance / 2``. +1 is most hostile,
-1 most cooperative, 0 nothing either way. It rises with coercion and human_rights and falls
with alliance; a pair that is both allied and hostile reads as tense (+0.5 when both are
certain), never as "nothing". For a pair, the scores are its pair-level probabilities
(scoring/pairs.py), the highest over the passages that name both.
"""
from __future__ import annotations

LABELS: tuple[str, ...] = ("alliance", "coercion", "human_rights")
# the labels a pair's member can be the agent of (coerces; is responsible): LABELS.md "Pairs and roles"
AGENT_LABELS: tuple[str, ...] = ("coercion", "human_rights")

TENSION_FORMULA = ("tension = hostility - alliance + hostility * alliance / 2, "
                   "hostility = 1 - (1 - coercion) * (1 - human_rights)")
TENSION_RULE = ("the expected value of +1 (hostile, not allied), -1 (allied, not hostile), +1/2 (both: partners "
                "in a dispute) and 0 (neither), with hostility (coercion or human_rights) and alliance taken as "
                "independent chances; a pair's scores are its pair-level probabilities, the highest over the "
                "passages that name both countries")


def tension(scores: dict[str, float]) -> float:
    hostility = 1.0 - (1.0 - scores["coercion"]) * (1.0 - scores["human_rights"])
    alliance = scores["alliance"]
    return round(max(-1.0, min(1.0, hostility - alliance + 0.5 * hostility * alliance)), 4)
