"""Alembic migrations of the store (``store.db.migrate`` runs them; ``tension store upgrade``)."""
