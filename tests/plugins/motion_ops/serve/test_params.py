"""The API's search and the pages' search take their parameters from one dependency: the same
names, bounds and meaning (a blank parameter, as a form sends it, is an absent one)."""
from motion_ops.serve.params import search_params


def test_the_api_and_the_pages_search_with_one_parameter_dependency(client):
    routes = {r.path: r for r in client.app.routes if hasattr(r, "dependant")}
    api, page = routes["/api/motions"].dependant, routes["/"].dependant
    for dependant in (api, page):
        assert search_params in [d.call for d in dependant.dependencies]
    assert {p.name for p in api.query_params} == {"limit"}  # its own: how many a page of JSON lists
    assert {p.name for p in page.query_params} == set()


def test_a_blank_search_parameter_is_absent_in_the_api_as_on_the_pages(client):
    blank = {"q": " ", "mode": "", "party": "", "vote": "", "outcome": "", "dossier": "", "since": "", "until": "",
             "cursor": ""}
    plain = client.get("/api/motions").json()
    blanked = client.get("/api/motions", params=blank)
    assert blanked.status_code == 200 and blanked.json()["items"] == plain["items"] and plain["items"]
    assert client.get("/", params=blank).status_code == 200
    for path in ("/api/motions", "/"):
        for bad in ({"since": "gisteren"}, {"vote": "misschien"}, {"q": "x" * 201}, {"dossier": "1;DROP"},
                    {"mode": "raden"}, {"cursor": "c" * 601}):
            assert client.get(path, params=bad).status_code == 422, (path, bad)


def test_the_words_a_dossier_and_a_party_are_bounded_alike_wherever_a_reader_gives_them(client):
    from motion_ops.serve.routes import MAX_DOSSIER, MAX_PARTY, MAX_Q

    for path in ("/", "/api/motions", "/api/party-agreement", "/partijen/overeenstemming", "/api/party-match/motions",
                 "/partijmatch"):
        for bad in ({"q": "x" * (MAX_Q + 1)}, {"dossier": "9" * (MAX_DOSSIER + 1)}, {"dossier": "1;DROP"}):
            assert client.get(path, params={"mode": "text", **bad}).status_code == 422, (path, bad)
        longest = {"mode": "text", "q": "x" * MAX_Q, "dossier": "9" * MAX_DOSSIER}
        assert client.get(path, params=longest).status_code == 200, path
    for path in ("/", "/api/motions"):
        assert client.get(path, params={"party": "x" * (MAX_PARTY + 1)}).status_code == 422, path
        assert client.get(path, params={"party": "x" * MAX_PARTY}).status_code == 200, path
    assert client.get("/api/parties/" + "x" * (MAX_PARTY + 1)).status_code == 422
