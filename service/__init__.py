"""The HTTP service around the scoring engine: routes, errors, model state, security, docs.

``service.app.create_app`` assembles it (``app.py`` at the repository root re-exports it for
``gunicorn "app:create_app()"``); nothing in ``scoring`` or ``store`` imports it.
Install with ``pip install 'tension-scoring[service,store]'``.
"""
