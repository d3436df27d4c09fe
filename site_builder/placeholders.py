"""The text `site-builder new` writes, and the `placeholder-text` rule that finds it left in.

One module for both, so the skeleton and the rule can never drift apart: a case published with
"State the claim as it was spread..." still in it, or with the empty `claim` the skeleton
starts with, reached the home page and the feed before this rule existed.
"""

from __future__ import annotations

from .diagnostics import Diagnostic, warning
from .model import FrontMatter

SUMMARY_PLACEHOLDER = (
    "State the claim as it was spread, in neutral words: who said what, where and when."
)
RESPONSE_PLACEHOLDER = "Explain why the claim is false or misleading, with links to the evidence."
SKELETON_BODY = f"""## Summary

{SUMMARY_PLACEHOLDER}

## Response

{RESPONSE_PLACEHOLDER}
"""
PLACEHOLDERS = (SUMMARY_PLACEHOLDER, RESPONSE_PLACEHOLDER)
_HINT = "replace it with your own text, or keep the case 'draft: true' until it is finished"


def placeholder_text(fm: FrontMatter) -> list[Diagnostic]:
    """Warnings for a published case's leftover skeleton text and empty `claim`."""
    found: list[Diagnostic] = []
    claim = fm.data.get("claim", None)
    if "claim" in fm.data and (claim is None or (isinstance(claim, str) and not claim.strip())):
        found.append(
            warning(
                fm.path,
                fm.key_lines.get("claim"),
                "published case with an empty 'claim'",
                "state the claim in one plain sentence, or keep the case 'draft: true'",
                rule="placeholder-text",
            )
        )
    if not any(text in fm.body for text in PLACEHOLDERS):
        return found
    for offset, line in enumerate(fm.body.split("\n")):
        if any(text in line for text in PLACEHOLDERS):
            found.append(
                warning(
                    fm.path,
                    fm.body_line + offset,
                    "published case still holds the placeholder text 'site-builder new' wrote",
                    _HINT,
                    rule="placeholder-text",
                )
            )
    return found
