"""Probes of a hostile contributor and an unlucky operator that the first hardening rounds
missed, run through the installed console script from the site folder with relative paths."""

from __future__ import annotations

import os

import pytest
from reliability import build, check, good_site, leftovers, snapshot


@pytest.mark.parametrize("kind", ["fifo", "dangling-link"])
def test_site_toml_that_is_not_a_regular_file_is_an_error_not_a_hang(tmp_path, kind):
    """A FIFO `site.toml` hung `build` in `open()`; a dangling link meant "all defaults"."""
    site = good_site(tmp_path)
    assert build(site).returncode == 0
    before = snapshot(site / "output")
    config = site / "site.toml"
    config.unlink()
    if kind == "fifo":
        os.mkfifo(config)
        reason = "a FIFO (named pipe), not a regular file; refusing to open it"
    else:
        config.symlink_to("nowhere.toml")
        reason = "No such file or directory"
    for done in (build(site, timeout=30), check(site, timeout=30)):
        assert done.returncode == 2, done.stderr
        assert f"site.toml: error: cannot read config: {reason}" in done.stderr.splitlines()
        assert "Traceback" not in done.stderr
    assert snapshot(site / "output") == before
    assert leftovers(site) == []
