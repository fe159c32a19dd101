"""The README's "use it from your code" example runs as it stands and finds the hostile pair."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_library_example_runs(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("Score a JSON-lines file and keep the pairs above a tension"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    lines = out.getvalue().splitlines()
    assert any(line.startswith("a1 CHN-PHL ") and "coercion" in line for line in lines), lines
    assert not any(line.startswith("a2 ") for line in lines)  # the allied pair is not tense
