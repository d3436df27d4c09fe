"""`site-builder init [DIR]`: a new site that builds, checks and publishes from the first minute.

The starter files ship inside the package (`site_builder/starter/`), so `init` works from an
installed tool with no checkout of this repository. Nothing is overwritten: a folder that holds
anything is refused unless `--force`, and even then existing files are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .diagnostics import UserError, error

STARTER = Path(__file__).parent / "starter"
# starter file -> where it goes in the new site
FILES = (
    ("site.toml", "site.toml"),
    ("gitignore", ".gitignore"),
    ("requirements.txt", "requirements.txt"),
    ("site.yml", ".github/workflows/site.yml"),
    ("about.md", "content/pages/about.md"),
    ("methodology.md", "content/pages/methodology.md"),
    ("example-case.md", "content/cases/example-5g-masts-spread-coronavirus.md"),
)
# Commented out: a bare "site-builder" would install whatever PyPI has under that name.
UNKNOWN_SOURCE = (
    "# site-builder was installed from a local folder, which CI cannot reach. Uncomment this\n"
    "# line and point it at the copy you use (a git URL, a tag, or a wheel's URL):\n"
    "# site-builder @ git+https://github.com/OWNER/site-builder@v0.1.0"
)


@dataclass(frozen=True, slots=True)
class Created:
    written: tuple[str, ...]
    kept: tuple[str, ...]  # existing files --force left alone
    requirement_known: bool


def requirement() -> str | None:
    """How this copy of site-builder was installed, as a pip requirement CI can use: a git
    or archive URL (PEP 610's direct_url.json), never a local path."""
    try:
        raw = metadata.distribution("site-builder").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    info = json.loads(raw) if raw else {}
    url = str(info.get("url", ""))
    if not url or url.startswith("file:"):
        return None
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git":
        return f"site-builder @ git+{url}@{vcs.get('commit_id', '')}".rstrip("@")
    return f"site-builder @ {url}"


def title_from(folder: Path) -> str:
    """'my-fact-check' -> 'My Fact Check': a first title the writer will change anyway."""
    words = re.split(r"[-_\s]+", folder.resolve().name)
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or "Fact Check Desk"


def _fill(text: str, name: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        if key == "@TITLE@" and name == "site.toml":
            value = json.dumps(value, ensure_ascii=False)[1:-1]  # a TOML basic string's body
        text = text.replace(key, value)
    return text


def _holds_anything(folder: Path) -> bool:
    """Hidden entries (`.git` of a fresh clone, the `.cache/` of a `check` run too early) and
    empty folders (`output/` of such a `serve`) do not count, as in Zola's `init`."""
    return any(_counts(entry) for entry in folder.iterdir())


def _counts(entry: Path) -> bool:
    if entry.name.startswith("."):
        return False
    try:
        return not entry.is_dir() or any(entry.iterdir())
    except OSError:  # a folder it may not read holds something
        return True


def init_site(
    target: Path, *, title: str | None = None, force: bool = False, today: dt.date | None = None
) -> Created:
    """Write the starter site into `target` (created if missing); raises `UserError` if it
    holds anything and not `force`."""
    shown = target.as_posix()
    if target.exists() and not target.is_dir():
        raise UserError([error(shown, None, "exists and is not a folder")])
    if target.is_dir() and _holds_anything(target) and not force:
        raise UserError(
            [
                error(
                    shown,
                    None,
                    "folder is not empty; refusing to write a new site into it",
                    "choose a new folder (site-builder init my-site), or add --force to add "
                    "the starter files that are missing, keeping every existing file",
                )
            ]
        )
    found = requirement()
    values = {
        "@TITLE@": title or title_from(target),
        "@DATE@": (today or dt.date.today()).isoformat(),
        "@REQUIREMENT@": found or UNKNOWN_SOURCE,
    }
    written: list[str] = []
    kept: list[str] = []
    for name, destination in FILES:
        path = target / destination
        if path.exists():
            kept.append(destination)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        text = _fill((STARTER / name).read_text(encoding="utf-8"), name, values)
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        written.append(destination)
    return Created(tuple(written), tuple(kept), found is not None)


def next_steps(target: Path, created: Created) -> str:
    """What `init` prints: what it wrote, then the next three commands."""
    lines = [f"Created a new site in {target.as_posix()}/:"]
    lines += [f"  {path}" for path in created.written]
    lines += [f"  {path} (kept: it already existed)" for path in created.kept]
    if not created.requirement_known:
        lines += [
            "",
            "Before publishing with GitHub Actions, say in requirements.txt where CI installs",
            "site-builder from (this copy was installed from a local folder).",
        ]
    commands = [] if target.resolve() == Path.cwd().resolve() else [f"cd {_quoted(target)}"]
    commands += ['site-builder new "The claim you checked"', "site-builder serve"]
    commands += [] if len(commands) == 3 else ["site-builder check"]
    lines += ["", "Next:", *(f"  {command}" for command in commands)]
    return "\n".join(lines) + "\n"


def _quoted(path: Path) -> str:
    text = path.as_posix()
    return text if re.fullmatch(r"[\w./-]+", text) else "'" + text.replace("'", "'\\''") + "'"
