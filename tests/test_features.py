"""The batch featuriser equals a plain passage-by-passage reading of the feature definitions.

``Featurizer.transform`` tokenises a whole batch as one text and finds bigrams and lexicon
phrases with numpy look-ups; the reference below does the same thing the obvious way, one
passage at a time, with ``tokens`` and ``Lexicon.matches``. Any batch, any passage order,
any mention layout must give the same matrix and the same word positions.
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
from hypothesis import given, settings, strategies as st

from scoring.features import Doc, load_lexicon, load_vectors, tokens


def reference_row(f, doc: Doc) -> np.ndarray:
    """One passage's feature vector, computed directly from the definitions in features.py."""
    words, _, _ = tokens(doc)
    x = np.zeros(len(f.feature_names_))
    lex: Counter = Counter()
    if f.use_lexicon:
        lex.update(name for name, _, _ in load_lexicon().matches(words))
    grams: Counter = Counter("w:" + w for w in words)
    grams.update("w:" + a + " " + b for a, b in zip(words, words[1:]))
    for counts, scale in ((lex, f.lexicon_weight), (grams, 1.0)):
        block = {f.vocabulary_[k]: (1 + math.log(c)) * f.idf_[f.vocabulary_[k]]
                 for k, c in counts.items() if k in f.vocabulary_}
        norm = math.sqrt(sum(v * v for v in block.values())) or 1.0
        for j, v in block.items():
            x[j] = v * scale / norm
    if f.use_vectors:
        index, table = load_vectors()
        known = [w for w in words if w in index]
        if known:
            weights = np.array([f.word_idf_.get(w, f.max_idf_) for w in known])
            mean = weights @ table[[index[w] for w in known]].astype(np.float64) / weights.sum()
            norm = np.linalg.norm(mean) or 1.0
            x[f.n_sparse_:] = mean * f.vector_scale / norm
    return x


def reference_occurrences(f, doc: Doc) -> set[tuple[int, int, int]]:
    """(column, start, end) of every word, word pair and lexicon phrase the vocabulary has."""
    words, starts, ends = tokens(doc)
    out = set()
    for i, w in enumerate(words):
        if "w:" + w in f.vocabulary_:
            out.add((f.vocabulary_["w:" + w], starts[i], ends[i]))
        if i + 1 < len(words) and f"w:{w} {words[i + 1]}" in f.vocabulary_:
            out.add((f.vocabulary_[f"w:{w} {words[i + 1]}"], starts[i], ends[i + 1]))
    if f.use_lexicon:
        for name, i, j in load_lexicon().matches(words):
            if name in f.vocabulary_:
                out.add((f.vocabulary_[name], starts[i], ends[j - 1]))
    return out


def check_batch(f, docs: list[Doc]) -> None:
    X, spans = f.transform(docs, spans=True)
    assert X.shape == (len(docs), len(f.feature_names_))
    dense = X.toarray()
    for i, doc in enumerate(docs):
        np.testing.assert_allclose(dense[i], reference_row(f, doc), rtol=1e-9, atol=1e-12, err_msg=doc.text)
        mine = spans.occ_row == i
        sparse = mine & (spans.occ_key < f.n_sparse_)
        got = set(zip(spans.occ_key[sparse].tolist(), spans.occ_start[sparse].tolist(), spans.occ_end[sparse].tolist()))
        assert got == reference_occurrences(f, doc), doc.text


HARD = [
    Doc("Chinese coast guard ships rammed a Philippine supply boat and fired water cannon.", ((0, 7), (42, 52))),
    Doc("The two allies signed a defence pact and will hold joint exercises.", ()),
    Doc("Police detained dozens of activists and journalists without charge.", ()),
    Doc("", ()),
    Doc("   \n\t ", ()),
    Doc("China's and Russia's talks in the 1990s: it's rock'n'roll, won’t they?", ((0, 7), (12, 20))),
    Doc("İSTANBUL — Türkiye’s ﬁnance talks; STRASSE straße ŉ", ((11, 20),)),
    Doc("the United States and the United Kingdom signed", ((4, 17), (26, 40))),
    Doc("the United States’Japan talks", ((4, 17), (18, 23))),  # two mentions in one token
    Doc("ΑΣ.Β İstanbul", ()),  # lower() changes length: this passage keeps its own case rules
    Doc("threatened to attack threatened to attack", ()),
    Doc("troops arrested detained attacked fired, then accused", ()),  # phrases back to back
    Doc("a", ()),
    # words past eight letters, beyond ASCII or beyond U+FFFF, apostrophes at word edges
    Doc("𝐀𝐁c internationalisation ''quoted'' ’tis naïve résumé 😀ok UPPERCASE defence's", ()),
    # a mention listed twice; and one over punctuation only that overlaps the next (its span wins)
    Doc("Japan and China rammed boats", ((0, 5), (0, 5), (10, 15))),
    Doc("(Japan) rammed boats", ((0, 1), (0, 6), (0, 6))),
]


def test_hard_cases_one_batch(scorer):
    check_batch(scorer.model.featurizer, HARD)


def test_hard_cases_one_by_one_and_reversed(scorer):
    f = scorer.model.featurizer
    for doc in HARD:
        check_batch(f, [doc])
    check_batch(f, HARD[::-1])


def test_empty_batch(scorer):
    X, spans = scorer.model.featurizer.transform([], spans=True)
    assert X.shape == (0, len(scorer.model.featurizer.feature_names_))
    assert len(spans.occ_row) == 0


def test_real_story_passages(scorer, defence_article):
    from scoring.actors import find_actors
    from scoring.segment import segment

    mentions = [m for m in find_actors(defence_article) if m.kind == "country"]
    docs = [Doc(defence_article[s:e], tuple((m.start - s, m.end - s) for m in mentions if s <= m.start and m.end <= e))
            for s, e in segment(defence_article)]
    assert any(d.mentions for d in docs)
    check_batch(scorer.model.featurizer, docs)


WORDS = ["china", "COUNTRY", "coast", "guard", "rammed", "sanctions", "threatened", "to", "attack", "joint",
         "exercises", "defence", "pact", "detained", "activists", "arrested", "attacked", "it's", "1990s", "won’t", "the", "of", "x"]


@st.composite
def passages(draw):
    words = draw(st.lists(st.sampled_from(WORDS) | st.text(min_size=1, max_size=4), max_size=25))
    seps = draw(st.lists(st.sampled_from([" ", "  ", ", ", "\n", "-", "'"]), min_size=len(words), max_size=len(words)))
    text, mentions = "", []
    for w, s in zip(words, seps):
        if w == "COUNTRY":
            mentions.append((len(text), len(text) + 5))
            w = "Japan"
        text += w + s
    # a mention must cover whole tokens, as the actor recogniser's do
    ok = tuple(m for m in mentions if (m[1] >= len(text) or not text[m[1]].isalnum()))
    return Doc(text, ok)


@settings(max_examples=150, deadline=None)
@given(st.lists(passages(), max_size=6))
def test_any_batch_matches_the_reference(scorer, docs):
    check_batch(scorer.model.featurizer, docs)


def test_split_blocks_are_the_matrix_and_score_the_same(scorer):
    """``transform(split=True)`` gives the same columns as two blocks; logits agree."""
    model = scorer.model
    f = model.featurizer
    X, spans = f.transform(HARD, spans=True)
    (sparse, dense), spans_split = f.transform(HARD, spans=True, split=True)
    assert sparse.shape == (len(HARD), f.n_sparse_)
    np.testing.assert_array_equal(np.hstack([sparse.toarray(), dense]), X.toarray())
    for a, b in zip(spans, spans_split):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(model.logits((sparse, dense)), model.logits(X), rtol=0, atol=1e-12)
    assert model.logits((sparse, dense)).shape == (len(HARD), len(model.labels))


def test_word_vectors_cover_the_vocabulary_of_older_news():
    """The table holds words training never saw, from other outlets and decades, near their
    modern neighbours (scoring/vectors/NOTICE.md: the wordfreq part of the vocabulary)."""
    from scoring.features import load_vector_table

    table = load_vector_table()
    row = {w: i for i, w in enumerate(table.words)}

    def cos(a, b):
        x, y = table.float32([row[a]])[0], table.float32([row[b]])[0]
        return float(x @ y / np.linalg.norm(x) / np.linalg.norm(y))

    for word in ("moslem", "sandinista", "pogrom", "politburo", "kampuchea", "detente"):
        assert word in row, word
    assert cos("moslem", "muslim") > cos("moslem", "tractor") + 0.2
    assert cos("politburo", "communist") > cos("politburo", "beach") + 0.2
