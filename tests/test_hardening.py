"""Hostile or broken input: clear diagnostics, no injected script, nothing written outside
the output, and the previous output survives failures and interruptions."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.config import SiteConfig
from site_builder.frontmatter import parse
from site_builder.markdown import render
from site_builder.model import SourceFile
from site_builder.validate import validate_case

BODY = "\n## Summary\n\nThe claim.\n\n## Response\n\nThe refutation.\n"


def make_site(root: Path, cases: dict[str, str], config: str = "") -> Path:
    (root / "content/cases").mkdir(parents=True)
    (root / "site.toml").write_text(config, encoding="utf-8")
    for name, text in cases.items():
        (root / "content/cases" / name).write_text(text, encoding="utf-8", newline="")
    return root


def test_bom_and_crlf_are_accepted_and_lines_stay_right(run_cli, tmp_path):
    good = "\ufeff---\r\ntitle: Windows file\r\ndate: 2024-01-01\r\n---\r\n" + BODY.replace(
        "\n", "\r\n"
    )
    bad = "\ufeff---\r\ntitle: Windows file\r\ndate: 2024-01-32\r\n---\r\n" + BODY.replace(
        "\n", "\r\n"
    )
    root = make_site(tmp_path / "site", {"windows-file.md": good, "broken-windows.md": bad})
    result = run_cli("check", "--root", root)
    assert result.err.splitlines()[0] == (
        "content/cases/broken-windows.md:3: error: 'date' must be a real date (YYYY-MM-DD), got '2024-01-32'"
    )
    (root / "content/cases/broken-windows.md").unlink()
    assert run_cli("build", "--root", root, "--output", tmp_path / "out").code == 0
    page = (tmp_path / "out/cases/windows-file/index.html").read_text(encoding="utf-8")
    assert "<h1>Windows file</h1>" in page and "\r" not in page


def test_file_size_cap(run_cli, tmp_path):
    big = "---\ntitle: Big\ndate: 2024-01-01\n---\n" + BODY + "x" * 600
    root = make_site(tmp_path / "site", {"big-file.md": big}, "max_file_bytes = 500\n")
    result = run_cli("check", "--root", root)
    assert result.code == 1
    assert (
        "content/cases/big-file.md: error: file is 6" in result.err
        and "the limit is 500" in result.err
    )


def test_symlink_outside_content_is_refused(run_cli, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\ndate: 2024-01-01\n---\n" + BODY, encoding="utf-8")
    root = make_site(tmp_path / "site", {})
    (root / "content/cases/leak.md").symlink_to(secret)
    result = run_cli("build", "--root", root, "--output", tmp_path / "out")
    assert result.code == 1
    assert (
        "content/cases/leak.md: error: symlink points outside the content directory" in result.err
    )
    assert not (tmp_path / "out").exists()


def test_code_urls_are_removed_and_warned(run_cli, tmp_path):
    body = (
        '\n## Summary\n\n[click](javascript:alert(1)) and <a href="vbscript:x">b</a>\n\n'
        "## Response\n\n[data](data:text/html;base64,PHNjcmlwdD4=) <img src=x onerror=alert(1)>\n"
        "<script>alert(1)</script>\n"
    )
    text = "---\ntitle: Links\ndate: 2024-01-01\n---\n" + body
    for allow_html in ("false", "true"):
        root = make_site(
            tmp_path / f"site-{allow_html}", {"links.md": text}, f"allow_html = {allow_html}\n"
        )
        output = tmp_path / f"out-{allow_html}"
        result = run_cli("build", "--root", root, "--output", output)
        assert result.code == 0
        assert (
            "content/cases/links.md:8: warning[unsafe-link]: link with a 'javascript:' URL removed"
            in result.err
        )
        assert (
            "content/cases/links.md:8: warning[unsafe-link]: link with a 'vbscript:' URL removed"
            in result.err
        )
        assert (
            "content/cases/links.md:12: warning[unsafe-link]: link with a 'data:' URL removed"
            in result.err
        )
        page = BeautifulSoup(
            (output / "cases/links/index.html").read_text(encoding="utf-8"), "html.parser"
        )
        # The JSON-LD data block is the only script a case page may carry.
        assert [s.get("type") for s in page.find_all("script")] == ["application/ld+json"]
        assert not page.select("[onerror]")
        for tag in page.select("[href], [src]"):
            value = (tag.get("href") or tag.get("src")).lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:"))


def test_hostile_term_names_stay_inside_output(run_cli, tmp_path):
    tags = ["../../escape", "a/b", "x" * 400, "NUL\u0000byte", "C:\\\\windows"]
    text = (
        "---\n"
        + yaml.safe_dump({"title": "Terms", "date": "2024-01-01", "tags": tags})
        + "---\n"
        + BODY
    )
    root = make_site(tmp_path / "site", {"terms.md": text})
    output = tmp_path / "out"
    result = run_cli("build", "--root", root, "--output", output)
    assert result.code == 0, result.err
    written = {p.resolve() for p in tmp_path.rglob("*") if p.is_file()}
    assert all(
        p.is_relative_to(output.resolve()) or p.is_relative_to(root.resolve()) for p in written
    )
    tag_dirs = sorted(p.name for p in (output / "tags").iterdir() if p.is_dir())
    assert tag_dirs == ["a-b", "c-windows", "escape", "nul-byte", "x" * 80]


def test_punctuation_only_term_is_an_error(run_cli, tmp_path):
    text = "---\ntitle: Terms\ndate: 2024-01-01\ntags: ['///']\n---\n" + BODY
    root = make_site(tmp_path / "site", {"slashes.md": text})
    result = run_cli("check", "--root", root)
    assert (
        result.code == 1
        and "tags term '///' has no letters or digits usable in a URL" in result.err
    )


def test_sigterm_mid_build_keeps_previous_output(tmp_path):
    cases = {
        f"case-{n:05d}.md": f"---\ntitle: Case {n}\ndate: 2024-01-{n % 28 + 1:02d}\ntags: [t{n % 50}]\n---\n"
        + BODY.replace("The claim.", "word " * 300)
        for n in range(3000)
    }
    root = make_site(tmp_path / "site", cases)
    output = tmp_path / "output"
    command = [
        sys.executable,
        "-m",
        "site_builder",
        "build",
        "--root",
        str(root),
        "--output",
        str(output),
    ]
    subprocess.run(command, check=True, capture_output=True)
    before = {p: p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}
    (root / "content/cases/case-00000.md").write_text(
        cases["case-00000.md"].replace("Case 0", "Changed")
    )

    # --clean: with the cache, one edit rebuilds too fast to interrupt.
    process = subprocess.Popen(
        [*command, "--clean"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while (
        not any(".staging-" in p.name for p in tmp_path.iterdir()) and time.monotonic() < deadline
    ):
        time.sleep(0.01)
    time.sleep(0.2)
    os.kill(process.pid, signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted; the previous output was left untouched" in err
    assert {p: p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output", "site"]


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(
    [
        "title",
        "date",
        "updated",
        "claim",
        "rating",
        "tags",
        "topics",
        "countries",
        "outlets",
        "related",
        "aliases",
        "draft",
        "x",
    ]
)
MARKDOWN = st.lists(
    st.sampled_from(
        [
            *"ab <>/\"'=()[]!:*_`#\n-|",
            "script",
            "javascript:",
            "onerror",
            "## Summary",
            "## Response",
            "{{",
            "}}",
        ]
    ),
    max_size=80,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(KEYS, VALUES, max_size=8), body=MARKDOWN, allow_html=st.booleans())
def test_fuzzed_cases_never_crash_or_inject_script(data, body, allow_html):
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n" + body
    front, problems = parse(SourceFile("content/cases/fuzz.md", text, ""))
    assert front is not None or problems
    if front is not None:
        validate_case(front, "fuzz", SiteConfig())
    html = render(body, allow_html=allow_html).html.lower()
    assert "<script" not in html
    # No element can carry a code URL or an event handler: those would be real tags.
    assert 'href="javascript:' not in html and 'src="javascript:' not in html
    assert not re.search(r"<[a-z][^>]*\son[a-z]+=", html)
