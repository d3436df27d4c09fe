"""Diagnostics as text for people (terminal), programs (JSON) and GitHub Actions (annotations).

Pure functions from diagnostics to a string; `cli` decides where it goes and whether the
terminal gets colour. The JSON shape is a public interface: keys are only ever added, and
`version` changes if one is removed or changes meaning (README "Checking content").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from .diagnostics import Diagnostic, sorted_diagnostics, summary

FORMATS: tuple[str, ...] = ("human", "json", "github")
JSON_VERSION = 1

_RESET = "\x1b[0m"
_STYLES = {"path": "\x1b[1m", "error": "\x1b[1;31m", "warning": "\x1b[1;33m", "dim": "\x1b[2m"}


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_STYLES[style]}{text}{_RESET}" if color else text


def _human_line(d: Diagnostic, color: bool) -> str:
    if not color:
        return d.format()
    where = f"{d.path}:{d.line}" if d.line else d.path
    label = _paint(d.severity, d.severity, color)
    if d.rule:
        label += _paint(f"[{d.rule}]", "dim", color)
    text = f"{_paint(where + ':', 'path', color)} {label}: {d.message}"
    if d.hint:
        text += "\n" + _paint(f"    hint: {d.hint}", "dim", color)
    return text


def human(diagnostics: Iterable[Diagnostic], *, color: bool = False) -> str:
    """One `path:line: severity[rule]: message` per problem, grouped by file (sorted by path,
    then line), then the summary line; empty when there is nothing to report."""
    items = sorted_diagnostics(diagnostics)
    if not items:
        return ""
    return "\n".join([*(_human_line(d, color) for d in items), summary(items)]) + "\n"


def as_json(diagnostics: Iterable[Diagnostic]) -> str:
    """The stable machine-readable report (schema in README "Checking content")."""
    items = sorted_diagnostics(diagnostics)
    errors = sum(1 for d in items if d.is_error)
    document = {
        "version": JSON_VERSION,
        "summary": {
            "errors": errors,
            "warnings": len(items) - errors,
            "files": len({d.path for d in items}),
        },
        "diagnostics": [
            {
                "path": d.path,
                "line": d.line,
                "severity": d.severity,
                "rule": d.rule,
                "message": d.message,
                "hint": d.hint,
            }
            for d in items
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(diagnostics: Iterable[Diagnostic], file_path: Callable[[str], str] = str) -> str:
    """GitHub Actions workflow commands: `::warning file=F,line=N,title=RULE::MESSAGE`.

    `file_path` maps a site-relative path to one relative to the repository checkout (they
    differ when the site root is a sub-folder). Escaping follows the runner's rules: `%`, CR
    and LF everywhere, plus `:` and `,` inside properties.
    """
    lines = []
    for d in sorted_diagnostics(diagnostics):
        props = [f"file={_escape_property(file_path(d.path))}"]
        if d.line:
            props.append(f"line={d.line}")
        props.append(f"title={_escape_property(d.rule or 'site-builder')}")
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        lines.append(f"::{d.severity} {','.join(props)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)
