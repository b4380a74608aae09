import re

import pytest
from fastapi.testclient import TestClient

from motion_ops.exports import export
from motion_ops.serve.app import Settings, create_app
from motion_ops.store.export_files import file_name, metadata_name
from tests.plugins.motion_ops.csvw_validator import validate


@pytest.fixture
def exported(store, published, pg_uri, tmp_path):
    """The published version exported to a folder, and the app serving that folder: (client, version, folder)."""
    folder = tmp_path / "exports"
    version = export(store, folder)["version"]
    app = create_app(Settings(dsn=pg_uri, secret=b"test-secret", exports_dir=folder, version_ttl=0))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, version, folder


def test_the_api_lists_each_export_with_absolute_urls_and_every_file_is_served_as_written(exported, tmp_path):
    client, version, folder = exported
    listed = client.get("/api/exports")
    assert listed.status_code == 200 and listed.headers["etag"]
    (item,) = listed.json()["items"]
    assert item["version"] == version and item["metadata_url"] == f"http://testserver/exports/{metadata_name(version)}"
    names = [f["name"] for f in item["files"]]
    assert names == [metadata_name(version)] + [file_name(version, t) for t in ("motions", "votes", "related", "summaries")]
    fetched = tmp_path / "fetched"
    fetched.mkdir()
    for f in item["files"]:
        r = client.get(f["url"].removeprefix("http://testserver"))
        assert r.status_code == 200 and r.content == (folder / f["name"]).read_bytes()
        assert r.headers["content-type"] == ("application/csvm+json" if f["name"].endswith(".json") else
                                             "text/csv; charset=utf-8")
        (fetched / f["name"]).write_bytes(r.content)
    validate(fetched / metadata_name(version))  # what a reader downloads validates against its metadata


def test_an_export_file_has_an_etag_and_a_conditional_request_gets_304(exported):
    client, version, _ = exported
    url = f"/exports/{file_name(version, 'motions')}"
    first = client.get(url)
    tag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', tag) and first.headers["last-modified"].endswith(" GMT")
    again = client.get(url, headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert client.get(url, headers={"if-modified-since": first.headers["last-modified"]}).status_code == 304
    assert client.head(url).headers["etag"] == tag


@pytest.mark.parametrize("name", ["notes.txt", "..%2Fsecret.csv", "motion-ops-v999-motions.csv", "motion-ops-v1-x.csv"])
def test_only_the_files_of_a_complete_export_are_served(exported, name):
    client, _, folder = exported
    (folder / "notes.txt").write_text("private")
    (folder / "motion-ops-v999-motions.csv").write_text("id\n")  # an export that never completed
    r = client.get(f"/exports/{name}")
    assert r.status_code == 404 and "private" not in r.text


def test_the_landing_page_links_the_newest_export(exported):
    client, version, _ = exported
    page = client.get("/").text
    assert f'href="/exports/{file_name(version, "motions")}"' in page and 'href="/api/exports"' in page


def test_a_symlink_placed_in_the_folder_is_never_served_nor_listed(exported, tmp_path):
    client, version, folder = exported
    secret = tmp_path / "secret.csv"
    secret.write_text("id\nprivate\n")
    motions = folder / file_name(version, "motions")
    motions.unlink()
    motions.symlink_to(secret)  # the name of a file of a complete export, pointing elsewhere
    r = client.get(f"/exports/{motions.name}")
    assert r.status_code == 404 and "private" not in r.text
    assert client.get("/api/exports").json()["items"] == []


def test_a_csv_file_names_its_csvw_metadata_in_a_link_header(exported):
    client, version, _ = exported
    r = client.get(f"/exports/{file_name(version, 'votes')}")
    assert r.headers["link"] == f'<{metadata_name(version)}>; rel="describedby"; type="application/csvm+json"'
    assert "link" not in client.get(f"/exports/{metadata_name(version)}").headers


def test_mounted_under_a_prefix_the_exports_and_feeds_link_within_it(exported, pg_uri):
    from fastapi import FastAPI

    from tests.plugins.motion_ops.serve.atom_validator import validate as validate_feed

    _, version, folder = exported
    outer = FastAPI()
    outer.mount("/motion-ops", create_app(Settings(dsn=pg_uri, secret=b"mounted", exports_dir=folder)))
    c = TestClient(outer)
    (item,) = c.get("/motion-ops/api/exports").json()["items"]
    assert item["metadata_url"] == f"http://testserver/motion-ops/exports/{metadata_name(version)}"
    assert c.get(item["files"][1]["url"].removeprefix("http://testserver")).status_code == 200
    page = c.get("/motion-ops/").text
    assert f'href="/motion-ops/exports/{file_name(version, "motions")}"' in page
    assert 'href="/motion-ops/feeds/moties?mode=hybrid"' in page
    feed = validate_feed(c.get("/motion-ops/feeds/moties").content)
    assert feed["self"].startswith("http://testserver/motion-ops/feeds/moties")
    assert feed["entries"] and all(e["link"].startswith("http://testserver/motion-ops/motie/") for e in feed["entries"])
    assert feed["id"] == validate_feed(TestClient(create_app(Settings(dsn=pg_uri, secret=b"s"))).get(
        "/feeds/moties").content)["id"]  # the same feed, mounted or not
