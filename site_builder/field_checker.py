"""Typed reads of one file's front matter that record a diagnostic, with the key's line, for
every value of the wrong shape, so a writer sees all of a file's problems in one run.

State is real here: the diagnostics gathered so far for the file. Imports: config-free, only
`diagnostics` and `model`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .diagnostics import Diagnostic, error
from .model import FrontMatter

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class FieldChecker:
    """Collects diagnostics for one file; each getter returns a cleaned value or None."""

    def __init__(self, fm: FrontMatter) -> None:
        self.fm = fm
        self.diagnostics: list[Diagnostic] = []

    def line(self, key: str) -> int:
        return self.fm.key_lines.get(key) or self.fm.key_lines.get(key.split("[")[0]) or 2

    def fail(self, key: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(error(self.fm.path, self.line(key), message, hint))

    def string(self, key: str, *, required: bool = False) -> str | None:
        value = self.fm.data.get(key)
        if value is None:
            if required:
                self.diagnostics.append(
                    error(
                        self.fm.path,
                        self.line(key) if key in self.fm.key_lines else 2,
                        f"missing required field '{key}'",
                    )
                )
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(key, f"'{key}' must be a string, got {type_name(value)}")
            return None
        text = " ".join(str(value).split())
        if not text and required:
            self.fail(key, f"'{key}' must not be empty")
        return text or None  # an empty optional field means "not set"

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.fm.data.get(key)
        if value is None:
            if required:
                self.diagnostics.append(
                    error(
                        self.fm.path,
                        2,
                        f"missing required field '{key}'",
                        f"add '{key}: YYYY-MM-DD'",
                    )
                )
            return None
        text = str(value).strip()
        if not isinstance(value, str) or not DATE_RE.fullmatch(text):
            self.fail(key, f"'{key}' must be YYYY-MM-DD, got {value!r}")
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(key, f"'{key}' must be a real date (YYYY-MM-DD), got '{text}'")
            return None

    def string_list(self, key: str) -> tuple[str, ...]:
        value = self.fm.data.get(key)
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.fail(key, f"'{key}' must be a list of strings, got {type_name(value)}")
            return ()
        result: list[str] = []  # duplicates dropped at the end, in linear time
        for index, item in enumerate(items):
            if (
                isinstance(item, bool)
                or not isinstance(item, str | int | float)
                or not str(item).strip()
            ):
                self.fail(
                    f"{key}[{index}]",
                    f"'{key}' item {index + 1} must be a non-empty string, got {item!r}",
                )
                continue
            result.append(" ".join(str(item).split()))
        return tuple(dict.fromkeys(result))  # first spelling kept; linear in the items

    def boolean(self, key: str) -> bool:
        value = self.fm.data.get(key, False)
        if not isinstance(value, bool):
            self.fail(key, f"'{key}' must be true or false, got {value!r}")
            return False
        return value


def type_name(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", bool: "a boolean", type(None): "nothing"}
    return names.get(type(value), type(value).__name__)
