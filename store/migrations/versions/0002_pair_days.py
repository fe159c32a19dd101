"""Daily rollup per pair (pair_days), filled from pair_scores; drop pair_scores indexes no query uses now.

Timelines and rankings read pair_days (at most one row per pair and day) instead of every
pair_scores row, which keeps them fast however many articles a pair has.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LABELS = ("alliance", "coercion", "human_rights")

# the same statement store.ingest runs for the (pair, day) keys it touches, here for all of them
FILL = f"""
INSERT INTO pair_days (pair_a, pair_b, day, week, month, n, {", ".join(f"sum_{l}" for l in LABELS)}, sum_tension,
                       {", ".join(f"max_{l}" for l in LABELS)}, best_strength, best_article_id, best_passage)
SELECT pair_a, pair_b, published, min(week), min(month), count(*), {", ".join(f"sum({l})" for l in LABELS)},
       sum(tension), {", ".join(f"max({l})" for l in LABELS)}, max(strength),
       min(CASE WHEN rn = 1 THEN article_id END), min(CASE WHEN rn = 1 THEN evidence END)
FROM (SELECT pair_scores.*, row_number() OVER (PARTITION BY pair_a, pair_b, published
                                               ORDER BY strength DESC, article_id) AS rn
      FROM pair_scores) AS ranked
GROUP BY pair_a, pair_b, published
"""


def upgrade() -> None:
    op.create_table(
        "pair_days",
        sa.Column("pair_a", sa.String(3), primary_key=True),
        sa.Column("pair_b", sa.String(3), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        *[sa.Column(f"sum_{l}", sa.Float(), nullable=False) for l in LABELS],
        sa.Column("sum_tension", sa.Float(), nullable=False),
        *[sa.Column(f"max_{l}", sa.Float(), nullable=False) for l in LABELS],
        sa.Column("best_strength", sa.Float(), nullable=False),
        sa.Column("best_article_id", sa.String(200), nullable=False),
        sa.Column("best_passage", sa.Integer(), nullable=False),
    )
    op.create_index("ix_pair_days_b_day", "pair_days", ["pair_b", "day"])
    op.create_index("ix_pair_days_day", "pair_days", ["day"])
    op.execute(FILL)
    op.drop_index("ix_pair_scores_b_published", table_name="pair_scores")
    op.drop_index("ix_pair_scores_published", table_name="pair_scores")


def downgrade() -> None:
    op.create_index("ix_pair_scores_published", "pair_scores", ["published"])
    op.create_index("ix_pair_scores_b_published", "pair_scores", ["pair_b", "published"])
    op.drop_table("pair_days")
