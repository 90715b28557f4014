"""One data version per page: a whole run pins the newest published version, a part of the page rerunning alone
(caremap.app.parts) pins again the version the page was drawn from, as long as its file exists."""

import os

from caremap.store import build, db


def test_a_part_reads_the_page_s_version_until_its_file_is_gone(tmp_path, monkeypatch):
    live = tmp_path / "caremap.duckdb"
    monkeypatch.setenv("CAREMAP_DB", str(live))
    build.build(live)
    page = db.pin()                      # the whole run that drew the page
    assert db.cache_key()[1] == page
    build.build(live)                    # an import publishes a new version behind the live link meanwhile
    newest = db.pin()                    # a new whole run reads it
    assert newest != page and db.cache_key()[1] == newest
    assert db.pin(token=page) == page    # the part's own run: the page's version, not the newest
    assert db.cache_key()[1] == page and db.query("meta").shape[0] > 0
    os.remove(page[0])                   # the page's version was pruned: the part reads the live one
    assert db.pin(token=page) == newest and db.cache_key()[1] == newest
