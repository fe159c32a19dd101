"""The HTTP service around the scoring engine: routes, errors, model state, security, docs.

``app.create_app`` assembles it; nothing here is imported by ``scoring``.
"""
