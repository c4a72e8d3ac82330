


def test_smoke(world, client, api):
    u = world["users"]
    for name in ("official", "admin"):
        client.force_login(u[name])
        for url in ("/", "/enterprises/", f"/enterprises/{world['a'].pk}/", "/methodology/", "/runs/",
                    "/data/imports/", "/access/audit/", "/finance/applications/"):
            r = client.get(url)
            assert r.status_code == 200, (name, url, r.status_code)
    client.force_login(u["ent_a"])
    assert client.get("/").status_code == 302
    assert client.get("/access/portal/").status_code == 200
    assert client.get(f"/enterprises/{world['a'].pk}/").status_code == 200
    assert client.get(f"/enterprises/{world['b'].pk}/").status_code == 404
    client.force_login(u["bank"])
    assert client.get("/access/tokens/").status_code == 200
    client.logout()
    r = api(client, world["token"], "/api/v1/enterprises/")
    assert r.status_code == 200, r.content
    print(r.json())
    r = api(client, world["token"], f"/api/v1/enterprises/{world['a'].credit_code}/breakdown/")
    assert r.status_code == 200, r.content
    r = api(client, world["token"], f"/api/v1/enterprises/{world['a'].credit_code}/filings/", HTTP_ACCEPT_LANGUAGE="ko")
    print(r.status_code, r.json())
    r = api(client, world["token"], "/api/v1/whitelist.xlsx")
    assert r.status_code == 200
    r = client.get("/api/schema/")
    assert r.status_code == 200, r.content[:500]
