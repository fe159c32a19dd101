"""Load, verify and apply a versioned model bundle from ``models/``.

A bundle is a directory ``models/<version>/`` holding ``model.joblib`` (the fitted
:class:`~scoring.features.Featurizer`, one linear classifier per label as a weight matrix,
and intercepts, and the :class:`~scoring.pairs.PairModel` for pair labels and agents) and
``manifest.json`` (version, labels, thresholds, metrics, the model file's sha256 ...).
``models/CURRENT`` names the version the service serves.

The classifier is linear on purpose: the logit of each label is exactly
``X @ coef[label] + intercept[label]``, so explanations are exact contributions, and any
probability calibration is folded into the weights at training time.

Loading refuses anything it cannot vouch for, with a one-line reason
(:class:`ModelError`): a version name that is not a plain directory name inside the models
directory, a missing manifest or model file, a sha256 that does not match the manifest,
an unknown format version, or a bundle whose labels disagree with its manifest.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .features import Doc, Featurizer
from .pairs import PairModel

FORMAT_VERSION = 2  # 2: the bundle also holds the pair model (scoring.pairs.PairModel)
MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
POINTER_FILE = "CURRENT"
_PACKAGE = Path(__file__).resolve().parent
# An installed package carries the committed model inside it (pyproject.toml puts the
# repository's models/ there); a checkout, or an editable install, reads models/ beside scoring/.
SHIPPED_MODELS_DIR = _PACKAGE / "models"
CHECKOUT_MODELS_DIR = _PACKAGE.parent / "models"
_VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ModelError(Exception):
    """The model bundle cannot be used; the message says why in one line."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def default_models_dir() -> Path:
    """The shipped model's directory: inside the installed package, else the checkout's models/."""
    return SHIPPED_MODELS_DIR if SHIPPED_MODELS_DIR.is_dir() else CHECKOUT_MODELS_DIR


def models_dir(path: str | os.PathLike | None = None) -> Path:
    """Where bundles are looked up: ``path``, else ``$TENSION_MODELS_DIR``, else the shipped model's."""
    return Path(path or os.environ.get("TENSION_MODELS_DIR") or default_models_dir()).resolve()


def resolve_version(models: Path, version: str | None) -> Path:
    """The bundle directory for ``version`` (default: the one ``CURRENT`` names), or ModelError."""
    if version is None:
        pointer = models / POINTER_FILE
        try:
            version = pointer.read_text(encoding="utf-8").strip()
        except OSError:
            raise ModelError(f"no {POINTER_FILE} file in {models}: train a model or set the models directory") from None
    if not isinstance(version, str) or not _VERSION_NAME.match(version) or version in {".", ".."}:
        raise ModelError("model version must be a plain directory name (letters, digits, '.', '_', '-')")
    path = (models / version).resolve()
    if path.parent != models:
        raise ModelError("model version must name a directory inside the models directory")
    if not path.is_dir():
        raise ModelError(f"model version {version!r} not found in the models directory")
    return path


@dataclass(frozen=True)
class Model:
    """A verified model bundle: featuriser, linear weights per label, manifest."""

    featurizer: Featurizer
    coef: np.ndarray  # (n_labels, n_features)
    intercept: np.ndarray  # (n_labels,)
    labels: tuple[str, ...]
    thresholds: np.ndarray  # (n_labels,)
    manifest: dict
    path: Path
    pairs: PairModel  # pair labels and agents (scoring/pairs.py)

    @property
    def version(self) -> str:
        return self.manifest["version"]

    @property
    def sha256(self) -> str:
        return self.manifest["sha256"]

    @classmethod
    def load(cls, version: str | None = None, models: str | os.PathLike | None = None) -> "Model":
        import joblib

        root = models_dir(models)
        path = resolve_version(root, version)
        try:
            manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelError(f"model {path.name}: {MANIFEST_FILE} is missing") from None
        except (OSError, ValueError) as exc:
            raise ModelError(f"model {path.name}: {MANIFEST_FILE} is unreadable ({type(exc).__name__})") from None
        model_file = path / MODEL_FILE
        if not model_file.is_file():
            raise ModelError(f"model {path.name}: {MODEL_FILE} is missing")
        expected = manifest.get("sha256")
        actual = sha256_file(model_file)
        if actual != expected:
            raise ModelError(f"model {path.name}: sha256 of {MODEL_FILE} does not match its manifest (file changed or truncated)")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ModelError(f"model {path.name}: format version {manifest.get('format_version')!r} is not {FORMAT_VERSION}; retrain it")
        try:
            bundle = joblib.load(model_file)
        except Exception as exc:  # a verified file that still fails to unpickle
            raise ModelError(f"model {path.name}: {MODEL_FILE} cannot be loaded ({type(exc).__name__})") from None
        labels = tuple(manifest.get("labels", ()))
        if tuple(bundle.get("labels", ())) != labels or not labels:
            raise ModelError(f"model {path.name}: labels in {MODEL_FILE} and {MANIFEST_FILE} differ")
        thresholds = np.array([float(manifest["thresholds"][label]) for label in labels])
        return cls(
            featurizer=bundle["featurizer"],
            coef=np.asarray(bundle["coef"], dtype=np.float64),
            intercept=np.asarray(bundle["intercept"], dtype=np.float64),
            labels=labels,
            thresholds=thresholds,
            manifest=manifest,
            path=path,
            pairs=bundle["pairs"],
        )

    def logits(self, X) -> np.ndarray:
        """Raw scores (n_passages, n_labels): the sum of feature contributions plus intercept.

        ``X`` is the feature matrix, or its ``(sparse, dense)`` blocks as
        ``Featurizer.transform(..., split=True)`` returns them.
        """
        if isinstance(X, tuple):
            sparse, dense = X
            out = np.asarray(sparse @ self.coef[:, :sparse.shape[1]].T)
            if dense is not None:
                out += dense @ self.coef[:, sparse.shape[1]:].T
            return out + self.intercept
        return np.asarray(X @ self.coef.T) + self.intercept

    def predict_proba(self, X) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(X)))

    def score_docs(self, docs: list[Doc]) -> np.ndarray:
        return self.predict_proba(self.featurizer.transform(docs))


def save_bundle(directory: Path, featurizer: Featurizer, coef, intercept, labels, pairs: PairModel) -> str:
    """Write ``model.joblib`` into ``directory``; return its sha256."""
    import joblib

    payload = {
        "format_version": FORMAT_VERSION,
        "featurizer": featurizer,
        "coef": np.asarray(coef, dtype=np.float64),
        "intercept": np.asarray(intercept, dtype=np.float64),
        "labels": list(labels),
        "pairs": pairs,
    }
    target = directory / MODEL_FILE
    joblib.dump(payload, target, compress=3)
    return sha256_file(target)
