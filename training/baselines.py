"""Two baselines, scored on the same passages as the model.

- ``keyword``: the CAMEO verb lexicon (PETRARCH2) as a classifier, the way dictionary event
  coders work. A label's score is the number of lexicon phrases of its event categories in
  the passage, squashed to [0, 1) as ``n / (n + 1)``; a passage is positive when one occurs.
- ``majority``: every passage gets the label's training prevalence; nothing is positive.
"""
from __future__ import annotations

import numpy as np

from scoring.features import Doc, load_lexicon, tokens
from scoring.labels import LABELS

# CAMEO lexicon feature -> the label it signals.
KEYWORD_CATEGORIES = {
    "alliance": ("cameo:03_intend_cooperate", "cameo:05_diplomatic_coop", "cameo:06_material_coop", "cameo:07_aid"),
    "coercion": ("cameo:13_threaten", "cameo:15_force_posture", "cameo:16_reduce_relations", "cameo:17_coerce",
                 "cameo:171_seize", "cameo:18_assault", "cameo:19_fight", "cameo:20_mass_violence"),
    "human_rights": ("cameo:172_restrict", "cameo:173_arrest", "cameo:174_expel", "cameo:175_repress",
                     "cameo:181_abduct", "cameo:1822_torture"),
}


def keyword_scores(docs: list[Doc]) -> np.ndarray:
    lexicon = load_lexicon()
    out = np.zeros((len(docs), len(LABELS)))
    for r, doc in enumerate(docs):
        found = [name for name, _, _ in lexicon.matches(tokens(doc).words)]
        for c, label in enumerate(LABELS):
            n = sum(1 for name in found if name in KEYWORD_CATEGORIES[label])
            out[r, c] = n / (n + 1.0)
    return out


KEYWORD_THRESHOLDS = np.full(len(LABELS), 0.5)


def majority_scores(n: int, train_prevalence: np.ndarray) -> np.ndarray:
    return np.tile(train_prevalence, (n, 1))


def majority_thresholds() -> np.ndarray:
    return np.full(len(LABELS), 1.01)  # never positive: the majority class for every label
