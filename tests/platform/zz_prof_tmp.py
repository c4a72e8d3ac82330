import cProfile
import pstats


def test_prof(scored, client):
    client.force_login(scored["users"]["official"])
    url = "/enterprises/?sort=-points"
    for _ in range(5):
        client.get(url)
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(30):
        client.get(url)
    pr.disable()
    st = pstats.Stats(pr)
    st.sort_stats("cumulative").print_stats(60)
