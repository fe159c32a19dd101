"""Store settings, read from the environment (the app passes its own config over them).

- ``TENSION_STORE`` = ``on`` (default) | ``off``: with ``off`` the service answers the store
  endpoints with 404 and never opens a database.
- ``DATABASE_URL``: where to keep articles. Unset: a SQLite file ``tension.sqlite3`` in the
  instance folder (``<project>/instance``, created on first use). ``postgresql://user:pw@host/db``
  (or ``postgres://``) uses PostgreSQL through psycopg 3; ``sqlite:///path.sqlite3`` another file.
- ``TENSION_STORE_TEXT`` = ``0`` (default) | ``1``: keep each article's full text. Without it
  only metadata and per-passage/per-pair results are stored, and ``rescore`` needs the texts
  again (``--input FILE``).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = ROOT / "instance"
DB_FILE = "tension.sqlite3"

_TRUE = {"1", "on", "true", "yes"}
_FALSE = {"0", "off", "false", "no", ""}


class StoreConfigError(ValueError):
    """A store setting has a value the store cannot use; the message says which and how to fix it."""


def _flag(name: str, value, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise StoreConfigError(f"{name} must be on or off (1/0, true/false), got {str(value)[:20]!r}")


def enabled(value=None) -> bool:
    """Whether the store is on: ``value`` (a config value) else ``$TENSION_STORE``, default on."""
    return _flag("TENSION_STORE", value if value is not None else os.environ.get("TENSION_STORE"), True)


def keep_text(value=None) -> bool:
    """Whether full texts are stored: ``value`` else ``$TENSION_STORE_TEXT``, default off."""
    return _flag("TENSION_STORE_TEXT", value if value is not None else os.environ.get("TENSION_STORE_TEXT"), False)


def database_url(url: str | None = None, instance_path: str | os.PathLike | None = None) -> str:
    """The SQLAlchemy URL to use: ``url`` else ``$DATABASE_URL`` else the instance-folder SQLite file."""
    url = (url or os.environ.get("DATABASE_URL") or "").strip()
    if not url:
        folder = Path(instance_path) if instance_path else DEFAULT_INSTANCE
        return f"sqlite:///{(folder / DB_FILE).resolve()}"
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        return "postgresql+psycopg:" + url.split(":", 1)[1]
    if scheme == "sqlite":
        return url
    raise StoreConfigError(f"DATABASE_URL must start with sqlite:// or postgresql://, not {scheme[:20]}://")


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages and logs)."""
    return re.sub(r"(://[^/:@]*:)[^@/]*@", r"\1***@", url)
