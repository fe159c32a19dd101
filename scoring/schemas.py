"""Request and response schemas (marshmallow): one source for validation and documentation.

The REST API validates bodies with these schemas and generates its OpenAPI document from
them; the command line validates each input line with :class:`ArticleSchema` too, so a line
the API would refuse is refused by the CLI with the same message. No Flask here.

Limits (documented in the README and the OpenAPI document):
``MAX_TEXT_CHARS`` per article, ``MAX_BATCH`` articles per batch, ``MAX_BODY_BYTES`` per
request body, ``MAX_PASSAGES`` passages (sentences) per request, ``MAX_ID_CHARS`` /
``MAX_TITLE_CHARS`` for the optional fields.
"""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from .labels import LABELS

MAX_TEXT_CHARS = 200_000
MAX_BATCH = 100
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_ID_CHARS = 200
MAX_TITLE_CHARS = 1_000
# Work and memory grow with passages, not bytes: 5 MB of one-word sentences is a million
# passages (measured: 92 s and 9.3 GB for one request before this limit). News runs at
# ~150 characters a passage, so 10,000 is ~1.5 million characters of ordinary articles.
MAX_PASSAGES = 10_000


class ArticleSchema(Schema):
    class Meta:
        unknown = RAISE

    text = fields.String(required=True, metadata={
        "description": f"Article text, 1 to {MAX_TEXT_CHARS} characters, not only white space (over the limit: 413).",
        "minLength": 1, "maxLength": MAX_TEXT_CHARS, "pattern": r"\S"})
    id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_ID_CHARS),
                       metadata={"description": "Caller's identifier, echoed back."})
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_TITLE_CHARS))
    published = fields.Date(load_default=None, allow_none=True,
                            metadata={"description": "Publication date (YYYY-MM-DD): office holders then resolve "
                                                     "only if they held office at that date."})
    explain = fields.Boolean(load_default=True, metadata={"description": "Include per-passage explanations."})

    @validates("text")
    def _text(self, value: str, **_) -> None:
        if not value.strip():
            raise ValidationError("text must contain something other than white space")
        if len(value) > MAX_TEXT_CHARS:
            raise ValidationError(f"text is {len(value)} characters; the limit is {MAX_TEXT_CHARS}")


class BatchSchema(Schema):
    class Meta:
        unknown = RAISE

    articles = fields.List(fields.Nested(ArticleSchema), required=True,
                           validate=validate.Length(min=1, max=MAX_BATCH,
                                                    error=f"articles must hold 1 to {MAX_BATCH} articles"))


# ---- responses (documentation; the engine builds plain dicts of this shape) -------------

ScoresSchema = Schema.from_dict(
    {label: fields.Float(required=True, validate=validate.Range(0.0, 1.0)) for label in LABELS}, name="Scores")


def _scores_field():
    return fields.Nested(ScoresSchema, required=True,
                         metadata={"description": "Probability per label: " + ", ".join(LABELS)})


def _labels_field():
    return fields.List(fields.String(validate=validate.OneOf(LABELS)), required=True,
                       metadata={"description": "Labels whose score reaches the model's threshold."})


def _tension_field():
    return fields.Float(required=True, validate=validate.Range(-1.0, 1.0),
                        metadata={"description": "In [-1, 1]: +1 hostile, -1 allied, +0.5 both (partners in a dispute), "
                                                 "0 neither; see GET /v1/model tension_formula and tension_rule."})


def _codes_field(description: str):
    return fields.List(fields.String(), metadata={"description": description})


class SpanFeatureSchema(Schema):
    feature = fields.String(required=True, metadata={"description": "Word, word pair (COUNTRY = a country mention) "
                                                                    "or cameo:<category> lexicon feature."})
    weight = fields.Float(required=True, metadata={"description": "Contribution to the label's logit."})
    spans = fields.List(fields.List(fields.Integer()), required=True,
                        metadata={"description": "[start, end] character offsets in the submitted text."})


class PassageSchema(Schema):
    index = fields.Integer(required=True)
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)
    text = fields.String(required=True)
    countries = fields.List(fields.String(), required=True)
    scores = _scores_field()
    labels = _labels_field()
    explanations = fields.Dict(keys=fields.String(validate=validate.OneOf(LABELS)),
                               values=fields.List(fields.Nested(SpanFeatureSchema)),
                               metadata={"description": "Per label, the strongest features (absent with explain false)."})


class MentionSchema(Schema):
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)
    text = fields.String(required=True)
    implied = fields.Boolean(metadata={"description": "Present and true when the words do not name the country but "
                                                      "stand for it (\"the two leaders\", \"the President\", a "
                                                      "readout's \"They\"): scoring/coreference.py."})


class CountrySchema(Schema):
    code = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-3 (XKX for Kosovo)."})
    name = fields.String(required=True)
    mentions = fields.List(fields.Nested(MentionSchema), required=True)
    scores = _scores_field()
    labels = _labels_field()
    tension = _tension_field()
    evidence = fields.List(fields.Integer(), required=True, metadata={"description": "Passage indexes, strongest first."})
    roles = fields.Nested(Schema.from_dict({
        "coercion_agent": _codes_field("Countries it coerces (agent of coercion in their pair)."),
        "coercion_target": _codes_field("Countries coercing it."),
        "human_rights_responsible": _codes_field("Countries raising, acting on, or whose people suffer, abuses it "
                                                 "is held responsible for."),
        "human_rights_raiser": _codes_field("Countries it holds responsible for abuses (it raises or acts on them, "
                                            "or its people suffer them)."),
        "alliance_partner": _codes_field("Countries it aligns with."),
    }, name="Roles"), required=True, metadata={"description": "The roles its pairs give it; only roles it has."})


class OrganisationSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    mentions = fields.List(fields.Nested(MentionSchema), required=True)


class PairExplanationSchema(Schema):
    passage = fields.Integer(required=True, metadata={"description": "The passage where the label is strongest."})
    passage_score = fields.Float(required=True, metadata={"description": "That passage's score for the label."})
    relation = fields.Float(required=True, metadata={
        "description": "How likely the label, given the passage has it, holds between these two; the pair's "
                       "score is passage_score x relation."})
    items = fields.List(fields.Nested(SpanFeatureSchema), required=True, metadata={
        "description": "The cues that tied the label to the two countries (words between them, 'X and Y', "
                       "'by X', 'X's ...'), each with its contribution to the relation's logit."})


class PairSchema(Schema):
    pair = fields.List(fields.String(), required=True, metadata={"description": "Two codes, alphabetical."})
    scores = fields.Nested(ScoresSchema, required=True, metadata={
        "description": "Pair-level probability per label that it holds between the two: the highest over "
                       "the passages naming both."})
    labels = fields.List(fields.String(validate=validate.OneOf(LABELS)), required=True,
                         metadata={"description": "Labels whose pair score reaches the model's pair threshold."})
    tension = _tension_field()
    evidence = fields.List(fields.Integer(), required=True, metadata={"description": "Passage indexes, strongest first."})
    agents = fields.Nested(Schema.from_dict({
        "coercion": _codes_field("The member(s) that coerce (both: force between them)."),
        "human_rights": _codes_field("The member(s) responsible for the abuse."),
    }, name="Agents"), required=True, metadata={"description": "For coercion and human_rights the pair carries."})
    explanations = fields.Dict(keys=fields.String(validate=validate.OneOf(LABELS)),
                               values=fields.Nested(PairExplanationSchema),
                               metadata={"description": "Per label the pair carries (absent with explain false)."})


class ModelRefSchema(Schema):
    version = fields.String(required=True)
    sha256 = fields.String(required=True)


class ResultSchema(Schema):
    id = fields.String(required=True, allow_none=True, metadata={"description": "The article's id as sent, or null."})
    model = fields.Nested(ModelRefSchema, required=True)
    passages = fields.List(fields.Nested(PassageSchema), required=True)
    countries = fields.List(fields.Nested(CountrySchema), required=True)
    organisations = fields.List(fields.Nested(OrganisationSchema), required=True)
    pairs = fields.List(fields.Nested(PairSchema), required=True)


class BatchResultSchema(Schema):
    results = fields.List(fields.Nested(ResultSchema), required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details: every error the API returns has this shape."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(metadata={"description": "Offending fields -> messages (validation errors only)."})


def text_too_long(obj) -> bool:
    """True when ``obj`` is an article whose text is over the limit (the API answers 413)."""
    return isinstance(obj, dict) and isinstance(obj.get("text"), str) and len(obj["text"]) > MAX_TEXT_CHARS


def passages_over_limit(texts) -> int | None:
    """The number of passages ``texts`` split into when it is over ``MAX_PASSAGES``, else None.

    Segmentation is linear and a few percent of scoring, so the API counts before it scores."""
    from .segment import segment

    total = 0
    for text in texts:
        total += len(segment(text))
        if total > MAX_PASSAGES:
            return total
    return None


def validate_article(obj) -> dict:
    """Validated article dict, or ValidationError with the offending fields."""
    if not isinstance(obj, dict):
        raise ValidationError("each article must be a JSON object with a 'text' field")
    return ArticleSchema().load(obj)
