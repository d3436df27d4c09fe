"""`site-builder init`: what it writes, what it refuses, what it prints."""

import datetime as dt
import tomllib

import pytest

from site_builder.cli import main
from site_builder.config import parse_config
from site_builder.diagnostics import UserError
from site_builder.init_site import FILES, init_site, next_steps, title_from

TODAY = dt.date(2024, 5, 6)


def test_writes_every_starter_file_with_the_title(tmp_path):
    target = tmp_path / "kyiv-checks"
    created = init_site(target, title='Kyiv "Checks" Ünion', today=TODAY)
    assert created.written == tuple(dest for _, dest in FILES) and created.kept == ()
    config = parse_config((target / "site.toml").read_text(encoding="utf-8"))
    assert config.title == config.organisation == 'Kyiv "Checks" Ünion'
    assert config.ratings.scale == ("False", "Misleading", "Missing context", "True")
    example = (target / FILES[-1][1]).read_text(encoding="utf-8")
    assert "\ndraft: true\n" in example and "\ndate: 2024-05-06\n" in example
    about = (target / "content/pages/about.md").read_text(encoding="utf-8")
    assert 'Kyiv "Checks" Ünion checks claims' in about


def test_toml_and_workflow_parse():
    import yaml

    from site_builder.init_site import STARTER

    tomllib.loads((STARTER / "site.toml").read_text(encoding="utf-8").replace("@TITLE@", "T"))
    workflow = yaml.safe_load((STARTER / "site.yml").read_text(encoding="utf-8"))
    steps = [s.get("run", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert "site-builder check --format github" in steps
    assert any(s.startswith("site-builder build --base-url") for s in steps)
    publish = workflow["jobs"]["publish"]
    assert "github.event.repository.default_branch" in publish["if"]
    # Job permissions replace the workflow's, the rest become none: checkout needs contents.
    assert publish["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_refuses_a_folder_that_is_not_empty_unless_force_and_never_overwrites(tmp_path):
    (tmp_path / "site.toml").write_text("title = 'mine'\n", encoding="utf-8")
    with pytest.raises(UserError, match="folder is not empty"):
        init_site(tmp_path)
    created = init_site(tmp_path, force=True)
    assert created.kept == ("site.toml",) and "content/pages/about.md" in created.written
    assert (tmp_path / "site.toml").read_text(encoding="utf-8") == "title = 'mine'\n"


def test_hidden_entries_and_empty_folders_do_not_make_a_folder_taken(tmp_path):
    (tmp_path / ".git").mkdir()  # a fresh clone of an empty repository
    (tmp_path / ".git/HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (tmp_path / "output").mkdir()  # what a `serve` run too early leaves
    assert "site.toml" in init_site(tmp_path).written
    other = tmp_path / "other"
    (other / "drafts").mkdir(parents=True)
    (other / "drafts/notes.txt").write_text("mine\n", encoding="utf-8")
    with pytest.raises(UserError, match="folder is not empty"):
        init_site(other)


def test_prints_the_next_three_commands(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "new desk"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Created a new site in new desk/:\n  site.toml\n")
    assert out.endswith(
        "Next:\n  cd 'new desk'\n  site-builder new \"The claim you checked\"\n"
        "  site-builder serve\n"
    )
    assert main(["init", "new desk"]) == 1
    assert "new desk: error: folder is not empty" in capsys.readouterr().err
    created = init_site(tmp_path / "here", today=TODAY)
    monkeypatch.chdir(tmp_path / "here")
    assert next_steps(tmp_path / "here", created).endswith(
        'Next:\n  site-builder new "The claim you checked"\n  site-builder serve\n'
        "  site-builder check\n"
    )


def test_title_from_folder_name(tmp_path):
    assert title_from(tmp_path / "my-fact_check desk") == "My Fact Check Desk"
