"""Split the `---` fence off a case file and parse its YAML safely, keeping each key's line.

Split first, parse second (Zola): a missing fence gets its own message. YAML is parsed with the
C safe loader when available; tags that would build Python objects are rejected by the safe
constructor, and dates stay strings so that `validate` can report an impossible date with a line.
"""

from __future__ import annotations

import re
from typing import Any

import frontmatter as pyfrontmatter
import yaml

from .diagnostics import Diagnostic, error
from .model import FrontMatter, SourceFile

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "seq", "map"))
# Scalars SafeConstructor builds with one plain function call (no generators, no state).
_SIMPLE_SCALARS = frozenset(
    f"tag:yaml.org,2002:{kind}" for kind in ("null", "bool", "int", "float")
)
_MAX_DEPTH = 32  # deeper front matter is left to PyYAML, which builds nested values iteratively
_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader whose implicit resolvers leave timestamps as plain strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def split(source: SourceFile) -> tuple[str, str, int] | Diagnostic:
    """Return (yaml_text, body, body_line) or a diagnostic explaining the missing fence."""
    text = source.text
    if not text.strip():
        return error(
            source.path, 1, "file is empty", "start the file with a '---' front matter block"
        )
    if not pyfrontmatter.YAMLHandler().detect(text) or not text.startswith("---"):
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


def _mark_line(exc: yaml.YAMLError) -> int | None:
    # The context mark points where the broken construct started (e.g. the unclosed '['),
    # which is where writers need to look; the problem mark is often the end of the block.
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else None  # the YAML text starts on the fence line


def _problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    text = " ".join(str(p) for p in (context, problem) if p) or str(exc).splitlines()[0]
    if "could not determine a constructor" in text or "tag:" in text:
        return f"YAML tag not allowed ({text}); only plain values, lists and mappings are accepted"
    return f"invalid YAML: {text}"


def _key_lines(node: yaml.MappingNode, path: str) -> tuple[dict[str, int], list[Diagnostic]]:
    lines: dict[str, int] = {}
    problems: list[Diagnostic] = []
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            problems.append(error(path, line, "front matter keys must be plain names"))
            continue
        if key in lines:
            problems.append(
                error(path, line, f"duplicate key '{key}' (first on line {lines[key]})")
            )
        lines[key] = line
        if isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value):
                lines[f"{key}[{index}]"] = item.start_mark.line + 1
    return lines, problems


class _Unusual(Exception):
    """A node the fast path leaves to PyYAML's constructor: an alias, a merge key, a tag."""


def _plain(node: yaml.Node, loader: Any, seen: set[int], depth: int = 0) -> Any:
    """Build the value of an alias-free tree of str-keyed mappings, lists and plain scalars.

    PyYAML's generic constructor (generators, per-node bookkeeping) was most of the time spent
    on front matter; this builds the same values directly and raises `_Unusual` for anything
    else, so the caller falls back to PyYAML for exactly the cases whose behaviour could differ.
    """
    if id(node) in seen or depth > _MAX_DEPTH:
        raise _Unusual
    seen.add(id(node))
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == _STR:
            return node.value
        if tag in _SIMPLE_SCALARS:
            return loader.construct_object(node)
    elif isinstance(node, yaml.SequenceNode) and tag == _SEQ:
        return [_plain(item, loader, seen, depth + 1) for item in node.value]
    elif isinstance(node, yaml.MappingNode) and tag == _MAP:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                raise _Unusual  # merge keys, '=' keys and non-string keys need PyYAML's rules
            if id(key_node) in seen:
                raise _Unusual
            seen.add(id(key_node))
            mapping[key_node.value] = _plain(value_node, loader, seen, depth + 1)
        return mapping
    raise _Unusual


def _construct(node: yaml.MappingNode, loader: Any) -> Any:
    """The document's value: built directly when it is plain, else by PyYAML."""
    try:
        return _plain(node, loader, set())
    except _Unusual:
        return loader.construct_document(node)


# Front matter as cases usually write it, read line by line without YAML: top-level keys with
# a string (double-quoted without escapes, or plain words), a flow list of such strings, a
# date, true/false, a small integer, or a block list of mappings of such scalars (outlets).
# Every value here means the same to YAML (with this loader's resolvers) as to this reading;
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


def parse(source: SourceFile) -> tuple[FrontMatter | None, list[Diagnostic]]:
    """Parse a case or page file into `FrontMatter`; on failure return diagnostics only."""
    parts = split(source)
    if isinstance(parts, Diagnostic):
        return None, [parts]
    yaml_text, body, body_line = parts
    read = _lines_front(yaml_text)
    if read is not None:  # most files: 0.1 ms of YAML per case saved
        return FrontMatter(source.path, read[0], read[1], body, body_line), []
    loader = _Loader(yaml_text)
    try:
        node = loader.get_single_node()
        if not isinstance(node, yaml.MappingNode):
            kind = "empty" if node is None else "not a mapping of 'key: value' lines"
            return None, [error(source.path, 2, f"front matter is {kind}")]
        key_lines, problems = _key_lines(node, source.path)
        data: Any = _construct(node, loader)
    except yaml.YAMLError as exc:
        return None, [error(source.path, _mark_line(exc), _problem(exc))]
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. unhashable keys
        return None, [error(source.path, 2, f"invalid YAML: {exc}")]
    finally:
        loader.dispose()
    if problems:
        return None, problems
    return FrontMatter(source.path, dict(data), key_lines, body, body_line), []
