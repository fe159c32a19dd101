"""Alembic migrations of the store (``store.db.migrate`` runs them; ``python -m store upgrade``)."""
