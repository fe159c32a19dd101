"""Passage segmentation: offsets into the original text, abbreviations, limits, odd input."""
from hypothesis import given, settings, strategies as st

from scoring.segment import MAX_PASSAGE_CHARS, segment


def texts(text):
    return [text[s:e] for s, e in segment(text)]


def test_splits_sentences_and_keeps_offsets():
    text = "Japan protested. China said its ships were lawful!  Was it? Yes."
    assert texts(text) == ["Japan protested.", "China said its ships were lawful!", "Was it?", "Yes."]


def test_abbreviations_and_initials_do_not_end_sentences():
    text = "U.S. Secretary of State Marco Rubio met Mr. Lee in Washington. John F. Kennedy was mentioned by Gen. Smith."
    assert texts(text) == ["U.S. Secretary of State Marco Rubio met Mr. Lee in Washington.",
                           "John F. Kennedy was mentioned by Gen. Smith."]


def test_dotted_abbreviation_can_end_a_sentence():
    text = "Tariffs hit exports to the U.S. The ministry said talks would resume."
    assert texts(text) == ["Tariffs hit exports to the U.S.", "The ministry said talks would resume."]


def test_closing_quotes_stay_with_their_sentence():
    text = "“We will respond,” he said. “Firmly.” Officials agreed."
    assert texts(text) == ["“We will respond,” he said.", "“Firmly.”", "Officials agreed."]


def test_paragraph_breaks_end_passages():
    assert texts("Headline without stop\n\nBody starts here.") == ["Headline without stop", "Body starts here."]


def test_unpunctuated_text_is_cut_into_bounded_passages():
    text = " ".join(["word"] * 2000)
    spans = segment(text)
    assert len(spans) > 1
    assert all(e - s <= MAX_PASSAGE_CHARS for s, e in spans)
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")


def test_empty_and_whitespace():
    assert segment("") == []
    assert segment(" \n\t ") == []


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_string_gives_ordered_trimmed_spans(text):
    spans = segment(text)
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        last = e
