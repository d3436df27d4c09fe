"""Front matter through PyYAML: what `frontmatter._lines_front` does not read itself.

Imported on demand: most case files never need it, and PyYAML (with python-frontmatter's
handlers) costs every build ~20 ms of imports. The C safe loader is used when available; tags
that would build Python objects are rejected by the safe constructor, and dates stay strings
so that `validate` can report an impossible date with a line.

Front matter comes from anyone who can open a pull request, so its cost is bounded before any
value is built: aliases are refused (nine nested ones expand 20 lines into 10^9 items, the
"billion laughs"), and so are more than `MAX_VALUES` nodes or nesting deeper than `MAX_DEPTH`.
Small alias-free text keeps libyaml's C composer (it cannot hold more nodes than the limit);
anything else is composed by PyYAML's Python composer over libyaml's events, which stops at
the first alias or at the limit instead of after building everything.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer

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
MAX_VALUES = 10_000  # keys, list items and scalars together; a real case has a few dozen
MAX_DEPTH = 20  # levels of lists and mappings; a real case has three (outlets)
# Text this short without a '*' holds no alias and fewer nodes than MAX_VALUES (each node
# takes at least two characters, e.g. "-\n"), so the C composer's work is bounded.
_C_COMPOSE_CHARS = 2 * MAX_VALUES


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader whose implicit resolvers leave timestamps as plain strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


class _Refused(yaml.YAMLError):
    """Front matter refused for its shape (alias, size, depth), with the file line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def _too_many(line: int) -> _Refused:
    return _Refused(
        line, f"front matter holds more than {MAX_VALUES} values (keys, list items, scalars)"
    )


def _too_deep(line: int) -> _Refused:
    return _Refused(line, f"front matter nests lists and mappings more than {MAX_DEPTH} deep")


class _GuardedLoader(Composer, _Loader):  # type: ignore[misc]
    """PyYAML's Python composer over libyaml's events, checking each node as it comes."""

    def __init__(self, text: str) -> None:
        _Loader.__init__(self, text)
        Composer.__init__(self)
        self.nodes = 0
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                line,
                f"YAML alias '*{event.anchor}' is not allowed in front matter; "
                "write the value out instead",
            )
        self.nodes += 1
        if self.nodes > MAX_VALUES:
            raise _too_many(line)
        if self.depth >= MAX_DEPTH:
            raise _too_deep(line)
        self.depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self.depth -= 1


def _check_tree(root: yaml.Node) -> None:
    """Apply `_GuardedLoader`'s limits to a tree the C composer built (no aliases in it)."""
    stack = [(root, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        line = node.start_mark.line + 1
        if count > MAX_VALUES:
            raise _too_many(line)
        if depth > MAX_DEPTH:
            raise _too_deep(line)
        if isinstance(node, yaml.SequenceNode):
            stack += [(item, depth + 1) for item in node.value]
        elif isinstance(node, yaml.MappingNode):
            stack += [(n, depth + 1) for pair in node.value for n in pair]


def _loader(yaml_text: str) -> Any:
    """The C composer where its work is bounded (see the module docstring), else the guarded."""
    if "*" not in yaml_text and len(yaml_text) <= _C_COMPOSE_CHARS:
        return _Loader(yaml_text)
    return _GuardedLoader(yaml_text)


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
def parse_yaml(
    source: SourceFile, yaml_text: str, body: str, body_line: int
) -> tuple[FrontMatter | None, list[Diagnostic]]:
    """Parse split front matter with PyYAML, reporting every problem with its line."""
    loader = _loader(yaml_text)
    try:
        node = loader.get_single_node()
        if node is not None and not isinstance(loader, _GuardedLoader):
            _check_tree(node)
        if not isinstance(node, yaml.MappingNode):
            kind = "empty" if node is None else "not a mapping of 'key: value' lines"
            return None, [error(source.path, 2, f"front matter is {kind}")]
        key_lines, problems = _key_lines(node, source.path)
        data: Any = _construct(node, loader)
    except _Refused as exc:
        return None, [error(source.path, exc.line, exc.message)]
    except yaml.YAMLError as exc:
        return None, [error(source.path, _mark_line(exc), _problem(exc))]
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. unhashable keys
        return None, [error(source.path, 2, f"invalid YAML: {exc}")]
    finally:
        loader.dispose()
    if problems:
        return None, problems
    return FrontMatter(source.path, dict(data), key_lines, body, body_line), []
