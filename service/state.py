"""The model the service serves, and swapping it without failing requests in flight.

``ModelHolder.scorer`` is read once per request; ``reload()`` loads and verifies the new
model completely before replacing that reference in one assignment, so a request that
started on the old model finishes on it and the next one gets the new one. A model that
fails verification never replaces a working one; at start-up it leaves the service not
ready (``/readyz`` answers 503 with the one-line reason).
"""
from __future__ import annotations

import logging
import threading

from scoring.model import ModelError
from scoring.scorer import Scorer

log = logging.getLogger("service")


class ModelHolder:
    def __init__(self, models_dir: str | None, version: str | None):
        self.models_dir = models_dir
        self.version = version
        self.scorer: Scorer | None = None
        self.error: str | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        try:
            self.scorer = Scorer.load(version=self.version, models=self.models_dir)
            self.error = None
            log.info("model loaded", extra={"event": "model_loaded", "model_version": self.scorer.model.version})
        except ModelError as exc:
            self.scorer, self.error = None, str(exc)
            log.error("model not loaded", extra={"event": "model_error", "reason": str(exc)})

    def reload(self) -> Scorer:
        """Load the configured version (default: what CURRENT names now) and swap it in; ModelError if unusable."""
        with self._lock:
            scorer = Scorer.load(version=self.version, models=self.models_dir)
            self.scorer, self.error = scorer, None
            log.info("model reloaded", extra={"event": "model_reloaded", "model_version": scorer.model.version})
            return scorer
