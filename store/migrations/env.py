"""Alembic environment: runs the migrations on the connection ``store.db.migrate`` passes in.

There is no alembic.ini: ``store.db.alembic_config`` builds the configuration in code, with
``script_location`` pointing here and the open connection in ``config.attributes``. Offline
(SQL script) mode is supported for reviewing what a migration would do:
``tension store upgrade --sql``.
"""
from alembic import context
from sqlalchemy import create_engine

from store.models import Base

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=Base.metadata,
                      literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()
else:
    conn = config.attributes.get("connection")
    if conn is not None:
        _run(conn)
    else:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        try:
            with engine.begin() as c:
                _run(c)
        finally:
            engine.dispose()
