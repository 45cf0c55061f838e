"""authenticatetowebservice: Connex's pairing check (docs/protocol.md §2)."""


def test_valid_credential_answers_the_json_string_ok(connex):
    response = connex.get("/connex/authenticatetowebservice")
    assert response.status_code == 200
    assert response.json() == "OK"
