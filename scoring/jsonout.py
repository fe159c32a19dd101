"""Result objects to JSON bytes, fast: what the API, the CLI and bulk scoring write.

orjson (about 10x faster than the standard library on a 40 KB result) with UTF-8 output and
compact separators; numpy scalars and arrays become plain numbers and lists. orjson refuses
strings that are not valid UTF-8, such as a lone surrogate that arrived escaped in a JSON
request ("\\ud800"): those results fall back to the standard library with ``\\u`` escapes,
which is still valid JSON for every reader.
"""
from __future__ import annotations

import json

import orjson


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(obj, newline: bool = True) -> bytes:
    """``obj`` as UTF-8 JSON bytes, with a trailing newline unless ``newline`` is false."""
    try:
        return orjson.dumps(obj, default=_plain, option=orjson.OPT_APPEND_NEWLINE if newline else 0)
    except TypeError:  # orjson.JSONEncodeError: not UTF-8 (lone surrogates)
        text = json.dumps(obj, default=_plain, ensure_ascii=True)
        return (text + "\n" if newline else text).encode("ascii")
