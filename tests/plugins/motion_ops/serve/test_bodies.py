from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from motion_ops.serve.bodies import limited, limited_form

LIMIT = 1000


def client():
    app = FastAPI()

    @app.post("/form")
    async def form(request: Request):
        found = await limited_form(request, LIMIT)
        return {"too_large": True} if found is None else {k: v for k, v in found.items() if isinstance(v, str)}

    @app.post("/body")
    async def body(request: Request):
        found = await limited(request, LIMIT)
        return {"too_large": True} if found is None else {"bytes": len(found)}

    return TestClient(app)


def test_a_form_within_the_limit_is_read_url_encoded_or_multipart_and_a_longer_one_is_not():
    c = client()
    assert c.post("/form", data={"q": "één stem"}).json() == {"q": "één stem"}
    assert c.post("/form", data={"q": "b"}, files={"f": ("f.txt", b"inhoud")}).json() == {"q": "b"}
    assert c.post("/form", data={"q": "x" * LIMIT}).json() == {"too_large": True}


def test_a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_not():
    c = client()
    assert c.post("/body", content=b"x" * LIMIT).json() == {"bytes": LIMIT}
    assert c.post("/body", content=b"x" * (LIMIT + 1)).json() == {"too_large": True}
