"""Who does what to whom: agent columns on pair_scores and their daily counts on pair_days.

``pair_scores.coercion_by_a`` (``_by_b``, and the same for human_rights) is 1 when that member
of the pair is an agent of the label in the article; ``pair_days.sum_coercion_by_a`` ... count
those articles per day, so timelines can show the direction. Rows stored before this
revision have 0 (no agents known): re-score them (``tension store rescore``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCORE_COLUMNS = ("coercion_by_a", "coercion_by_b", "human_rights_by_a", "human_rights_by_b")


def upgrade() -> None:
    with op.batch_alter_table("pair_scores") as batch:
        for name in SCORE_COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("pair_days") as batch:
        for name in SCORE_COLUMNS:
            batch.add_column(sa.Column("sum_" + name, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("pair_days") as batch:
        for name in SCORE_COLUMNS:
            batch.drop_column("sum_" + name)
    with op.batch_alter_table("pair_scores") as batch:
        for name in SCORE_COLUMNS:
            batch.drop_column(name)
