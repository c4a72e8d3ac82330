def test_dbg(scored, client):
    client.force_login(scored["users"]["official"])
    r = client.get("/enterprises/?sort=-points&per_page=5&page=2")
    html = r.content.decode()
    print(html[html.index("<main>"):html.index("</main>")])
    r = client.get("/enterprises/?sort=-points&export=csv&stage=startup")
    print(r["Content-Disposition"], r.content.decode("utf-8-sig")[:800])
    r = client.get("/enterprises/?sort=-points&export=xlsx")
    print(r["Content-Type"], len(r.content))
