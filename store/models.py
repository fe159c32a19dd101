"""The store's tables (SQLAlchemy 2.x declarative); ``migrations/`` creates and evolves them.

- ``articles``: one row per article id (the caller's id; re-posting it updates the row).
  ``published`` is the publication date, or the date the article was first stored when
  none was given (``published_given`` tells which). ``model_version`` / ``model_sha256``
  name the model whose results the article's passages and pairs hold; ``text`` is kept
  only with ``TENSION_STORE_TEXT=1``. ``revision`` counts how often the article was posted.
- ``passages``: per passage, its character offsets, the countries in it and one score
  column per label (``scoring.labels.LABELS``).
- ``pair_scores``: per article and pair of countries (codes alphabetical, ``pair_a`` <
  ``pair_b``), the pair's label scores (max over the passages involving both), which member
  is the agent of the coercion and human_rights it carries (``coercion_by_a`` ...), tension,
  ``strength`` (highest of its label scores) and ``evidence`` (the strongest passage), with
  the article's ``published`` date (and its week and month) copied in.
- ``pair_days``: the daily rollup of ``pair_scores`` per pair: article count, sums and
  maxima of each label score, sum of tensions, and the day's strongest evidence (highest
  ``strength``, ties to the smallest article id). Ingest recomputes the (pair, day) rows it
  touches in the same transaction, so it always equals the rollup of ``pair_scores``.
  Timelines and rankings read only this table: a pair's three years are at most 1,096 rows
  however many articles it has.
Article ids compare byte by byte (``COLLATE "C"`` on PostgreSQL, SQLite's default), so
"smallest article id" means the same on both backends and in Python.
Changing a table means a new migration in ``migrations/versions`` (tests check they agree).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scoring.labels import LABELS
from scoring.schemas import MAX_TITLE_CHARS as MAX_TITLE

from .schemas import MAX_ID, MAX_SOURCE, MAX_URL


# Article ids: byte order everywhere (PostgreSQL's default collation would order them by language rules).
ArticleId = String(MAX_ID).with_variant(String(MAX_ID, collation="C"), "postgresql")


class Base(DeclarativeBase):
    pass


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(ArticleId, primary_key=True)
    source: Mapped[str | None] = mapped_column(String(MAX_SOURCE))
    url: Mapped[str | None] = mapped_column(String(MAX_URL))
    title: Mapped[str | None] = mapped_column(String(MAX_TITLE))
    published: Mapped[dt.date] = mapped_column(Date, nullable=False)
    published_given: Mapped[bool] = mapped_column(Boolean, nullable=False)
    ingest_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    model_version: Mapped[str] = mapped_column(String(64), nullable=False)
    model_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    n_passages: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_articles_model_version_id", "model_version", "id"),
        Index("ix_articles_published", "published"),
    )


class Passage(Base):
    __tablename__ = "passages"

    article_id: Mapped[str] = mapped_column(ArticleId, ForeignKey("articles.id", ondelete="CASCADE"),
                                            primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    start_char: Mapped[int] = mapped_column(Integer, nullable=False)
    end_char: Mapped[int] = mapped_column(Integer, nullable=False)
    countries: Mapped[str] = mapped_column(String(400), nullable=False)  # codes separated by spaces
    alliance: Mapped[float] = mapped_column(Float, nullable=False)
    coercion: Mapped[float] = mapped_column(Float, nullable=False)
    human_rights: Mapped[float] = mapped_column(Float, nullable=False)


class PairScore(Base):
    __tablename__ = "pair_scores"

    article_id: Mapped[str] = mapped_column(ArticleId, ForeignKey("articles.id", ondelete="CASCADE"),
                                            primary_key=True)
    pair_a: Mapped[str] = mapped_column(String(3), primary_key=True)
    pair_b: Mapped[str] = mapped_column(String(3), primary_key=True)
    published: Mapped[dt.date] = mapped_column(Date, nullable=False)
    week: Mapped[dt.date] = mapped_column(Date, nullable=False)
    month: Mapped[dt.date] = mapped_column(Date, nullable=False)
    alliance: Mapped[float] = mapped_column(Float, nullable=False)
    coercion: Mapped[float] = mapped_column(Float, nullable=False)
    human_rights: Mapped[float] = mapped_column(Float, nullable=False)
    tension: Mapped[float] = mapped_column(Float, nullable=False)
    strength: Mapped[float] = mapped_column(Float, nullable=False)
    evidence: Mapped[int] = mapped_column(Integer, nullable=False)
    n_passages: Mapped[int] = mapped_column(Integer, nullable=False)
    # 1 when that member is an agent of the label the pair carries in this article (scoring/pairs.py)
    coercion_by_a: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    coercion_by_b: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    human_rights_by_a: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    human_rights_by_b: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")

    __table_args__ = (Index("ix_pair_scores_pair_published", "pair_a", "pair_b", "published"),)


class PairDay(Base):
    __tablename__ = "pair_days"

    pair_a: Mapped[str] = mapped_column(String(3), primary_key=True)
    pair_b: Mapped[str] = mapped_column(String(3), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    week: Mapped[dt.date] = mapped_column(Date, nullable=False)
    month: Mapped[dt.date] = mapped_column(Date, nullable=False)
    n: Mapped[int] = mapped_column(Integer, nullable=False)
    sum_alliance: Mapped[float] = mapped_column(Float, nullable=False)
    sum_coercion: Mapped[float] = mapped_column(Float, nullable=False)
    sum_human_rights: Mapped[float] = mapped_column(Float, nullable=False)
    sum_tension: Mapped[float] = mapped_column(Float, nullable=False)
    max_alliance: Mapped[float] = mapped_column(Float, nullable=False)
    max_coercion: Mapped[float] = mapped_column(Float, nullable=False)
    max_human_rights: Mapped[float] = mapped_column(Float, nullable=False)
    best_strength: Mapped[float] = mapped_column(Float, nullable=False)
    best_article_id: Mapped[str] = mapped_column(ArticleId, nullable=False)
    best_passage: Mapped[int] = mapped_column(Integer, nullable=False)
    # articles of the day in which pair_a (pair_b) is an agent of coercion (human_rights) against the other
    sum_coercion_by_a: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    sum_coercion_by_b: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    sum_human_rights_by_a: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    sum_human_rights_by_b: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")

    __table_args__ = (
        Index("ix_pair_days_b_day", "pair_b", "day"),
        Index("ix_pair_days_day", "day"),
    )


if set(LABELS) != {"alliance", "coercion", "human_rights"}:
    raise RuntimeError("scoring.labels.LABELS changed: add the new label's columns here and a migration")
