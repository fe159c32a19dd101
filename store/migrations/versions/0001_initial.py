"""Initial store: articles, passages, pair_scores and their indexes.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _scores():
    return [sa.Column(label, sa.Float(), nullable=False) for label in ("alliance", "coercion", "human_rights")]


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("source", sa.String(200)),
        sa.Column("url", sa.String(2000)),
        sa.Column("title", sa.String(1000)),
        sa.Column("published", sa.Date(), nullable=False),
        sa.Column("published_given", sa.Boolean(), nullable=False),
        sa.Column("ingest_date", sa.Date(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("model_sha256", sa.String(64), nullable=False),
        sa.Column("n_passages", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text()),
    )
    op.create_index("ix_articles_model_version_id", "articles", ["model_version", "id"])
    op.create_index("ix_articles_published", "articles", ["published"])
    op.create_table(
        "passages",
        sa.Column("article_id", sa.String(200), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("idx", sa.Integer(), primary_key=True),
        sa.Column("start_char", sa.Integer(), nullable=False),
        sa.Column("end_char", sa.Integer(), nullable=False),
        sa.Column("countries", sa.String(400), nullable=False),
        *_scores(),
    )
    op.create_table(
        "pair_scores",
        sa.Column("article_id", sa.String(200), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("pair_a", sa.String(3), primary_key=True),
        sa.Column("pair_b", sa.String(3), primary_key=True),
        sa.Column("published", sa.Date(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        *_scores(),
        sa.Column("tension", sa.Float(), nullable=False),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Integer(), nullable=False),
        sa.Column("n_passages", sa.Integer(), nullable=False),
    )
    op.create_index("ix_pair_scores_pair_published", "pair_scores", ["pair_a", "pair_b", "published"])
    op.create_index("ix_pair_scores_b_published", "pair_scores", ["pair_b", "published"])
    op.create_index("ix_pair_scores_published", "pair_scores", ["published"])


def downgrade() -> None:
    op.drop_table("pair_scores")
    op.drop_table("passages")
    op.drop_table("articles")
