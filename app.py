"""The Flask application factory, ``create_app(config=None)``: it lives in ``service/app.py``.

This module keeps ``gunicorn "app:create_app()"`` and ``from app import create_app`` working
in a checkout; an installed package uses ``service.app:create_app()``.
"""
from service.app import create_app

__all__ = ["create_app"]
