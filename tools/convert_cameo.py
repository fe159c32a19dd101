"""Convert PETRARCH2's CAMEO verb dictionary into the project's lexicon file.

One-off build tool, run by a developer, never at run time:

    python tools/convert_cameo.py PATH/TO/CAMEO.2.0.verbs.txt > scoring/lexicon/cameo_verbs.tsv

The source (MIT licence, Open Event Data Alliance; see scoring/lexicon/NOTICE) groups verbs
into blocks headed ``---  VERB  [code]  ---``; each block lists synonyms (``+A_B`` is the
phrase "a b", ``{...}`` lists irregular forms, ``[code]`` after a word overrides the block's
code) and patterns ``- * OBJECT [code]``. We keep what a bag-of-words reader can use:
every verb form with its CAMEO code, and "verb object" phrases whose object is plain words.
Output: ``phrase<TAB>code`` lines, lower case, sorted, duplicates removed.
"""
from __future__ import annotations

import re
import sys

_HEADER = re.compile(r"^---\s+(\S+)\s+\[([0-9-]+)\]")
_CODE = re.compile(r"\[([0-9]{2,4})(?::[0-9]+)?\]")
_PATTERN = re.compile(r"^-\s+\*\s+([A-Z][A-Z _'-]*?)\s+\[([0-9]{2,4})(?::[0-9]+)?\]")


def _inflections(word: str) -> set[str]:
    """Regular English verb forms of ``word`` (lower case)."""
    forms = {word}
    if word.endswith("e"):
        forms |= {word + "s", word + "d", word[:-1] + "ing"}
    elif word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        forms |= {word[:-1] + "ies", word[:-1] + "ied", word + "ing"}
    elif word.endswith(("s", "sh", "ch", "x", "z")):
        forms |= {word + "es", word + "ed", word + "ing"}
    else:
        forms |= {word + "s", word + "ed", word + "ing"}
    return forms


def _verb_forms(line: str) -> tuple[set[str], str | None]:
    """Forms listed on one synonym line, and the code it overrides (if any)."""
    body = line.split("#", 1)[0]
    code_m = _CODE.search(body)
    body = _CODE.sub("", body)
    irregular = re.findall(r"\{([^}]*)\}", body)
    base = re.sub(r"\{[^}]*\}", "", body).strip().lstrip("+").strip()
    if not base or not re.fullmatch(r"[A-Z_'-]+", base):
        return set(), None
    words = base.lower().replace("_", " ").strip()
    forms = set()
    if " " in words:
        head, rest = words.split(" ", 1)
        forms |= {f + " " + rest for f in _inflections(head)}
    else:
        forms |= _inflections(words)
    for group in irregular:
        for form in group.split():
            form = form.lstrip("+").lower().replace("_", " ").strip()
            if re.fullmatch(r"[a-z' -]+", form):
                forms.add(form)
    return forms, (code_m.group(1) if code_m else None)


def convert(lines) -> list[tuple[str, str]]:
    entries: set[tuple[str, str]] = set()
    in_verbs = False
    block_code = None
    block_forms: set[str] = set()
    for raw in lines:
        line = raw.rstrip("\n")
        if "VERB PATTERNS" in line:
            in_verbs = True
            continue
        if not in_verbs or not line.strip() or line.startswith("#"):
            continue
        header = _HEADER.match(line)
        if header:
            block_code = header.group(2) if header.group(2) != "---" else None
            block_forms = set()
            continue
        if line.startswith("-"):
            m = _PATTERN.match(line)
            if m and block_forms and not re.search(r"[&${}()%]", m.group(1)):
                obj = m.group(1).lower().replace("_", " ").strip()
                for form in block_forms:
                    entries.add((f"{form} {obj}", m.group(2)))
            continue
        forms, code = _verb_forms(line)
        block_forms |= forms
        code = code or block_code
        if code:
            entries.update((f, code) for f in forms)
    return sorted(entries)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python tools/convert_cameo.py PATH/TO/CAMEO.2.0.verbs.txt", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8", errors="replace") as f:
        rows = convert(f)
    sys.stdout.write("# phrase\tcameo_code  (from PETRARCH2 CAMEO.2.0.verbs.txt, MIT; see NOTICE)\n")
    for phrase, code in rows:
        sys.stdout.write(f"{phrase}\t{code}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
