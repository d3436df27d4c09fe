"""Split the `---` fence off a case file and parse its YAML safely, keeping each key's line.

Split first, parse second (Zola): a missing fence gets its own message. Common front matter is
read line by line here (`_lines_front`); everything else goes to PyYAML (`yaml_front`), which
is imported only then.
"""

from __future__ import annotations

import re
from typing import Any

from .diagnostics import Diagnostic, error
from .model import FrontMatter, SourceFile

_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
# python-frontmatter's `YAMLHandler.FM_BOUNDARY`: the same test for "starts with a fence",
# without importing it (and PyYAML) for the files that need no YAML parser.
_BOUNDARY = re.compile(r"^-{3,}\s*$", re.MULTILINE)


def split(source: SourceFile) -> tuple[str, str, int] | Diagnostic:
    """Return (yaml_text, body, body_line) or a diagnostic explaining the missing fence."""
    text = source.text
    if not text.strip():
        return error(
            source.path, 1, "file is empty", "start the file with a '---' front matter block"
        )
    if not _BOUNDARY.match(text) or not text.startswith("---"):
        return error(
            source.path,
            1,
            "missing front matter: the file must start with a '---' line",
            "add '---', the YAML fields (title, date, ...), and a closing '---'",
        )
    opening = _FENCE.match(text)
    closing = _FENCE.search(text, opening.end()) if opening else None
    if opening is None or closing is None:
        return error(source.path, 1, "front matter is not closed: no second '---' line")
    yaml_text = text[opening.end() : closing.start()]
    body_start = (
        closing.end() + 1 if text[closing.end() : closing.end() + 1] == "\n" else closing.end()
    )
    body_line = text.count("\n", 0, body_start) + 1
    return yaml_text, text[body_start:], body_line


# Every value here means the same to YAML (with `yaml_front`'s loader) as to this reading;
# anything else (comments, single quotes, escapes, anchors, plain scalars that start with a
# digit or hold markup, deeper nesting, duplicate keys) goes to PyYAML. A property test holds
# the two equal.
_KEY = r"([A-Za-z_][A-Za-z0-9_]*):"
_QUOTED = r'"([^"\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]*)"'
# Plain words: start with a letter; no ': ', ' #', double or trailing space. In a flow list
# also no ',', ':' or brackets.
_CHARS = r"[\w.,;/()&+=%~?'-]+"
_FLOW_CHARS = r"[\w.;/()&+=%~?'-]+"
_PLAIN = r"([^\W\d_]" + _CHARS[:-1] + r"*(?:[: ]" + _CHARS + r")*)"
_FLOW_PLAIN = r"([^\W\d_]" + _FLOW_CHARS[:-1] + r"*(?: " + _FLOW_CHARS + r")*)"
_FLOW_ITEM = _QUOTED.replace("(", "(?:", 1) + "|" + _FLOW_PLAIN.replace("(", "(?:", 1)
_LIST = re.compile(r"\[ ?(?:(?:" + _FLOW_ITEM + r")(?:, (?:" + _FLOW_ITEM + r"))*)? ?\]")
_ITEMS = re.compile(_QUOTED + "|" + _FLOW_PLAIN)
_SCALAR = re.compile(_QUOTED + r"|(\d{4}-\d{2}-\d{2})|(true|false)|([1-9][0-9]{0,8}|0)|" + _PLAIN)
_TOP = re.compile(_KEY + r"(?: (.*))?")
_NESTED = re.compile(r"(  - |    )" + _KEY + r" (.*)")
# Plain words YAML 1.1 reads as booleans or null.
_NOT_STR = frozenset(
    w
    for word in ("yes", "no", "true", "false", "on", "off", "y", "n", "null")
    for w in (word, word.capitalize(), word.upper())
)


def _scalar(text: str) -> tuple[Any] | None:
    match = _SCALAR.fullmatch(text)
    if match is None:
        return None
    quoted, date, boolean, number, plain = match.groups()
    if quoted is not None:
        return (quoted,)
    if date is not None:
        return (date,)
    if boolean is not None:
        return (boolean == "true",)
    if number is not None:
        return (int(number),)
    return None if plain in _NOT_STR else (plain,)


def _flow_list(text: str) -> list[str] | None:
    if _LIST.fullmatch(text) is None:
        return None
    items = [m[1] if m[1] is not None else m[2] for m in _ITEMS.finditer(text)]
    return None if _NOT_STR.intersection(items) else items


def _lines_front(yaml_text: str) -> tuple[dict[str, Any], dict[str, int]] | None:
    """`data, key_lines` for front matter of the shapes above, else None."""
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    items: list[dict[str, Any]] | None = None  # the block list being read, if any
    parent = ""  # its key
    for number, line in enumerate(yaml_text.split("\n"), start=1):
        if not line:
            continue
        if line[0] == " ":
            nested = _NESTED.fullmatch(line)
            if nested is None or items is None:
                return None
            lead, key, value = nested.groups()
            if key in _NOT_STR:  # YAML's key would be a boolean or null
                return None
            found = _scalar(value)
            if found is None:
                return None
            if lead == "  - ":
                lines[f"{parent}[{len(items)}]"] = number
                items.append({})
            elif not items or key in items[-1]:
                return None
            items[-1][key] = found[0]
            continue
        top = _TOP.fullmatch(line)
        if top is None or (items is not None and not items):
            return None
        key, value = top.groups()
        if key in data or key in _NOT_STR:
            return None
        items = None
        lines[key] = number
        if value is None:  # a block list of mappings follows
            parent, items = key, []
            data[key] = items
        elif value.startswith("["):
            strings = _flow_list(value)
            if strings is None:
                return None
            data[key] = strings
            lines.update((f"{key}[{i}]", number) for i in range(len(strings)))
        else:
            found = _scalar(value)
            if found is None:
                return None
            data[key] = found[0]
    if (items is not None and not items) or not data:
        return None
    return data, lines


# Longer keys are no field's name; refusing them keeps a megabyte "key" out of every warning.
MAX_KEY_CHARS = 64
# Longer front matter is never a case's (PyYAML's guarded composer bounds its cost instead).
_LINE_READER_CHARS = 20_000


def _long_key(front: FrontMatter) -> Diagnostic | None:
    for key in front.data:
        if isinstance(key, str) and len(key) > MAX_KEY_CHARS:
            line = front.key_lines.get(key, 2)
            return error(
                front.path,
                line,
                f"front matter key of {len(key)} characters; the limit is {MAX_KEY_CHARS}",
                "keys are field names such as 'title' or 'tags'",
            )
    return None


def parse(source: SourceFile) -> tuple[FrontMatter | None, list[Diagnostic]]:
    """Parse a case or page file into `FrontMatter`; on failure return diagnostics only."""
    parts = split(source)
    if isinstance(parts, Diagnostic):
        return None, [parts]
    yaml_text, body, body_line = parts
    read = _lines_front(yaml_text) if len(yaml_text) <= _LINE_READER_CHARS else None
    if read is not None:  # most files: 0.1 ms of YAML per case saved
        front: FrontMatter | None = FrontMatter(source.path, read[0], read[1], body, body_line)
        problems: list[Diagnostic] = []
    else:
        from .yaml_front import parse_yaml  # only for what the line reader leaves to PyYAML

        front, problems = parse_yaml(source, yaml_text, body, body_line)
    long_key = _long_key(front) if front is not None else None
    return (None, [long_key]) if long_key else (front, problems)
