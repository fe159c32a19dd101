"""Article ids in byte order on PostgreSQL (COLLATE "C"), as on SQLite and in Python.

The strongest evidence of an interval is the highest score, ties to the smallest article id;
with PostgreSQL's default collation "smallest" followed language rules, which differ from the
byte order SQLite and the incremental rollup use. Nothing to do on SQLite.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = (("articles", "id"), ("passages", "article_id"), ("pair_scores", "article_id"),
           ("pair_days", "best_article_id"))


def _set(collation) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=sa.String(200, collation=collation), existing_nullable=False)


def upgrade() -> None:
    _set("C")


def downgrade() -> None:
    _set("default")
