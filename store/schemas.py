"""Request and response schemas of the store endpoints (marshmallow; no SQLAlchemy, no Flask).

The service validates ``POST /v1/articles`` bodies and the query parameters of the timeline
and ranking endpoints with these, and ``service.openapi`` documents them from the same
classes. The CLI (``tension score --store``, ``tension store rescore --input``)
validates its input lines with :class:`StoreArticleSchema` too.
"""
from __future__ import annotations

import re

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates, validates_schema

from scoring.labels import AGENT_LABELS, LABELS
from scoring.schemas import MAX_BATCH, MAX_TEXT_CHARS, ArticleSchema

MAX_ID = 200
MAX_SOURCE = 200
MAX_URL = 2000
MAX_POINTS = 5000  # timeline points per page
DEFAULT_POINTS = 1000
MAX_PAGE = 500  # pairs per page
DEFAULT_PAGE = 50
INTERVALS = ("day", "week", "month")
SORTS = ("tension",) + tuple(LABELS) + ("articles",)
_CODE = re.compile(r"^[A-Z]{3}$")


# ---- ingest -----------------------------------------------------------------------------

class StoreArticleSchema(ArticleSchema):
    """An article to store: the scoring body (same text rules) with a required id, and provenance."""

    id = fields.String(required=True, validate=validate.Length(min=1, max=MAX_ID),
                       metadata={"description": "Your identifier. Posting the same id again updates the stored "
                                                "article instead of adding another."})
    text = fields.String(required=True, metadata={"description": f"Article text, 1 to {MAX_TEXT_CHARS} characters. "
                                                                 "Kept only when the server sets TENSION_STORE_TEXT=1."})
    published = fields.Date(load_default=None, allow_none=True,
                            metadata={"description": "Publication date (YYYY-MM-DD). Without it the article is dated "
                                                     "by the day it was first stored."})
    source = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_SOURCE),
                           metadata={"description": "Outlet or feed name, e.g. 'VOA'."})
    url = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_URL))
    explain = fields.Boolean(load_default=False, metadata={
        "description": "Accepted so /v1/score bodies can be posted as they are; the store keeps no explanations."})

    @validates("id")
    def _id(self, value: str, **_) -> None:
        if not value.strip():
            raise ValidationError("id must contain something other than white space")


class StoreBatchSchema(Schema):
    class Meta:
        unknown = RAISE

    articles = fields.List(fields.Nested(StoreArticleSchema), required=True,
                           validate=validate.Length(min=1, max=MAX_BATCH,
                                                    error=f"articles must hold 1 to {MAX_BATCH} articles"))

    @validates_schema
    def _distinct_ids(self, data, **_) -> None:
        seen, dup = set(), []
        for art in data.get("articles", []):
            if art["id"] in seen and art["id"] not in dup:
                dup.append(art["id"])
            seen.add(art["id"])
        if dup:
            shown = ", ".join(repr(d[:40]) for d in dup[:5])
            raise ValidationError(f"each id may appear once per request; repeated: {shown}", "articles")


def validate_store_article(obj) -> dict:
    """A validated article for the store, or ValidationError (used by the CLI line by line)."""
    if not isinstance(obj, dict):
        raise ValidationError("each article must be a JSON object with 'id' and 'text' fields")
    return StoreArticleSchema().load(obj)


class IngestPairSchema(Schema):
    pair = fields.List(fields.String(), required=True, metadata={"description": "Two codes, alphabetical."})
    tension = fields.Float(required=True)


class IngestItemSchema(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["created", "updated"]))
    published = fields.Date(required=True, metadata={"description": "The date the article is filed under: "
                                                                    "its publication date, else its first ingest date."})
    published_given = fields.Boolean(required=True)
    model_version = fields.String(required=True)
    pairs = fields.List(fields.Nested(IngestPairSchema), required=True)


class IngestResultSchema(Schema):
    articles = fields.List(fields.Nested(IngestItemSchema), required=True, metadata={"description": "In input order."})
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)


# ---- queries ----------------------------------------------------------------------------

def parse_code(value: str, name: str = "country") -> str:
    """A country code (3 uppercase letters), or ValidationError saying what was expected."""
    if not isinstance(value, str) or not _CODE.match(value):
        raise ValidationError({name: [f"must be a 3-letter uppercase country code such as JPN, got {str(value)[:12]!r}"]})
    return value


def parse_pair(value: str) -> tuple[str, str]:
    """``"JPN-CHN"`` -> ``("CHN", "JPN")`` (alphabetical), or ValidationError."""
    parts = value.split("-") if isinstance(value, str) else []
    if len(parts) != 2 or not all(_CODE.match(p) for p in parts):
        raise ValidationError({"pair": [f"must be two 3-letter uppercase country codes joined by '-', such as "
                                        f"CHN-JPN; got {str(value)[:20]!r}"]})
    if parts[0] == parts[1]:
        raise ValidationError({"pair": ["must name two different countries"]})
    a, b = sorted(parts)
    return a, b


class _WindowSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "Unknown query parameter; see /openapi.json for the ones this endpoint takes."}

    date_from = fields.Date(data_key="from", load_default=None,
                            metadata={"description": "First day (YYYY-MM-DD), inclusive. Default: no lower bound."})
    date_to = fields.Date(data_key="to", load_default=None,
                          metadata={"description": "Last day (YYYY-MM-DD), inclusive. Default: no upper bound."})
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000),
                            metadata={"description": "Items to skip (pagination)."})

    @validates_schema
    def _order(self, data, **_) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("from must not be after to", "from")


class TimelineQuerySchema(_WindowSchema):
    interval = fields.String(load_default="week", validate=validate.OneOf(INTERVALS),
                             metadata={"description": "day, ISO week (Monday first) or calendar month."})
    limit = fields.Integer(load_default=DEFAULT_POINTS, validate=validate.Range(min=1, max=MAX_POINTS),
                           metadata={"description": f"Points per page (1 to {MAX_POINTS})."})


class PairsQuerySchema(_WindowSchema):
    sort = fields.String(load_default="tension", validate=validate.OneOf(SORTS),
                         metadata={"description": "Rank by mean tension, by the mean score of one label, or by "
                                                  "article count."})
    order = fields.String(load_default="desc", validate=validate.OneOf(["desc", "asc"]),
                          metadata={"description": "desc: most tense (highest) first; asc: most cooperative first."})
    limit = fields.Integer(load_default=DEFAULT_PAGE, validate=validate.Range(min=1, max=MAX_PAGE),
                           metadata={"description": f"Pairs per page (1 to {MAX_PAGE})."})
    min_articles = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000_000),
                                  metadata={"description": "Leave out pairs with fewer articles in the window."})


def _label_map(desc: str, nullable: bool = False):
    return fields.Dict(keys=fields.String(validate=validate.OneOf(LABELS)), values=fields.Float(allow_none=nullable),
                       required=True, metadata={"description": desc})


class EvidenceSchema(Schema):
    article_id = fields.String(required=True)
    passage = fields.Integer(required=True, metadata={"description": "Passage index in that article "
                                                                    "(GET /v1/articles/{id} lists its passages)."})


class PointSchema(Schema):
    start = fields.Date(required=True, metadata={"description": "First day of the interval."})
    articles = fields.Integer(required=True, metadata={"description": "Articles involving the pair in the interval."})
    mean = _label_map("Mean pair score per label; null when the interval has no article.", nullable=True)
    max = _label_map("Highest pair score per label; null when the interval has no article.", nullable=True)
    tension_mean = fields.Float(required=True, allow_none=True,
                                metadata={"description": "Mean pair tension; null when the interval has no article."})
    evidence = fields.Nested(EvidenceSchema, required=True, allow_none=True,
                             metadata={"description": "The strongest passage in the interval: highest label score, "
                                                      "ties to the smallest article id. Null without articles."})
    agents = fields.Dict(keys=fields.String(validate=validate.OneOf(AGENT_LABELS)),
                         values=fields.Dict(keys=fields.String(), values=fields.Integer()), required=True,
                         metadata={"description": "Who does what to whom: per label (coercion, human_rights) and "
                                                  "member, the articles of the interval in which that member is the "
                                                  "agent (coerces / is responsible); both count when both are."})


class TimelineSchema(Schema):
    pair = fields.List(fields.String(), required=True, metadata={"description": "Two codes, alphabetical."})
    interval = fields.String(required=True)
    date_from = fields.Date(data_key="from", allow_none=True, metadata={
        "description": "The window used (default: the pair's first stored article)."})
    date_to = fields.Date(data_key="to", allow_none=True, metadata={
        "description": "The window used (default: the pair's last stored article)."})
    total = fields.Integer(required=True, metadata={"description": "Intervals in the window (all pages)."})
    points = fields.List(fields.Nested(PointSchema), required=True,
                         metadata={"description": "One per interval, in date order, empty intervals included."})


class RankedPairSchema(Schema):
    pair = fields.List(fields.String(), required=True)
    articles = fields.Integer(required=True)
    tension_mean = fields.Float(required=True)
    mean = _label_map("Mean pair score per label over the window's articles.")
    max = _label_map("Highest pair score per label over the window's articles.")
    partner = fields.String(metadata={"description": "The other country (partners endpoint only)."})


class PairsPageSchema(Schema):
    pairs = fields.List(fields.Nested(RankedPairSchema), required=True)
    total = fields.Integer(required=True, metadata={"description": "Pairs matching (all pages)."})
    country = fields.String(metadata={"description": "The country asked for (partners endpoint only)."})
    date_from = fields.Date(data_key="from", allow_none=True)
    date_to = fields.Date(data_key="to", allow_none=True)
    sort = fields.String()
    order = fields.String()
    limit = fields.Integer()
    offset = fields.Integer()


class StoredPassageSchema(Schema):
    index = fields.Integer(required=True)
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)
    countries = fields.List(fields.String(), required=True)
    scores = _label_map("Probability per label.")
    text = fields.String(metadata={"description": "Only when the server keeps texts (TENSION_STORE_TEXT=1)."})


class StoredPairSchema(Schema):
    pair = fields.List(fields.String(), required=True)
    scores = _label_map("Highest score per label over the passages involving the pair.")
    tension = fields.Float(required=True)
    evidence = fields.Integer(required=True, metadata={"description": "Strongest passage index."})
    passages = fields.Integer(required=True, metadata={"description": "Passages involving the pair."})
    agents = fields.Dict(keys=fields.String(validate=validate.OneOf(AGENT_LABELS)), values=fields.List(fields.String()),
                         required=True, metadata={"description": "The member(s) that coerce / are responsible, for "
                                                                 "the labels the pair carries."})


class StoredArticleSchema(Schema):
    id = fields.String(required=True)
    source = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    published = fields.Date(required=True)
    published_given = fields.Boolean(required=True)
    first_seen = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    revision = fields.Integer(required=True, metadata={"description": "How many times the article was posted."})
    model = fields.Dict(required=True, metadata={"description": "version and sha256 of the model that scored it."})
    text_kept = fields.Boolean(required=True)
    passages = fields.List(fields.Nested(StoredPassageSchema), required=True)
    pairs = fields.List(fields.Nested(StoredPairSchema), required=True)
