"""Structured logging: one JSON object per line on stderr.

Fields are fixed names (``event``, ``method``, ``path``, ``status``, ``ms``, ``request_id``,
counts ...), never a text, key or token a caller sent: the access log records the route
template, not the raw URL, and sizes rather than contents.
"""
from __future__ import annotations

import json
import logging
import sys
import time

_FIELDS = ("event", "method", "route", "status", "ms", "request_id", "articles", "chars", "passages",
           "model_version", "reason", "error_type", "worker")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
               "level": record.levelname.lower(), "msg": record.getMessage()}
        for key in _FIELDS:
            if hasattr(record, key):
                out[key] = getattr(record, key)
        return json.dumps(out, ensure_ascii=True)


def configure(level: str = "INFO") -> None:
    logger = logging.getLogger("service")
    if any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
