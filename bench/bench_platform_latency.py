"""Platform latency: the enterprise page and the bank API under 50 concurrent clients, served by
gunicorn (not the dev server) from PostgreSQL, on loopback only.

    .venv/bin/python bench/bench_platform_latency.py [--enterprises 30000] [--clients 50]
        [--requests 2000] [--workers 3] [--worker-class sync|gthread] [--mode closed|paced|both]
        [--rate 1.0] [--endpoints page,one,list] [--reuse]
        [--database postgres://postgres@127.0.0.1:5432/innoregion_bench]

It (re)creates the bench database (``--reuse`` keeps one that already holds the data, making only
new API tokens and a new session), migrates, loads the reference data and N synthetic enterprises
(each with filings, a stored score with its breakdown, ladder outcomes), one bank with a consent
from a fifth of them and one API token per client. It then starts gunicorn on 127.0.0.1 with the
command line of ``innoregion serve`` and runs a bounded load per endpoint with ``bench/loadgen.py``
(one asyncio loop; keep-alive where the server allows it). The bank list is read as the API is meant
to be read: the cursor feed is walked once before the timed run, and each timed request asks for a
random page of it. Prints p50/p95/p99, the throughput, and the CPU spent per request by gunicorn's
workers, by PostgreSQL and by the whole machine; paste the figures into docs/benchmarks.md
("## Platform latency").

Modes (``--mode``, default ``closed``):

* ``closed``: each client sends its next request as soon as the previous answer arrives. With 50
  clients this is saturation: throughput is the server's capacity and the latency is mostly queueing
  (50 requests in flight on a few cores).
* ``paced``: each client sends ``--rate`` requests per second on a fixed schedule (start times
  spread over the first interval); 50 clients at 1/s is an office of 50 people clicking at once every
  second. Latency is measured from the *scheduled* send time, so a backlog is counted, not hidden.
* ``both``: closed, then paced, on the same server and data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadgen  # noqa: E402  (bench/loadgen.py, beside this script)

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out" / "platform"


FILINGS_PER_YEAR = 45


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreate_database(url: str) -> None:
    import psycopg

    u = urlparse(url)
    name = u.path.lstrip("/")
    admin = url.replace(f"/{name}", "/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def populate(n: int, clients: int, seed: int = 11, reuse: bool = False) -> dict:  # noqa: PLR0915
    """Runs inside this process with Django set up on the bench database."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from innoregion.apps.access import services
    from innoregion.apps.access.models import Consent, Role
    from innoregion.apps.imports.models import ImportBatch
    from innoregion.apps.ladder.models import LadderOutcome, LadderRun
    from innoregion.apps.points.models import EnterpriseScore, ScoringRun
    from innoregion.apps.region.models import Cluster, Enterprise, Filing, Indicator, Zone
    from innoregion.apps.region.services import load_reference_data
    from innoregion.data.creditcode import make_code

    rng = random.Random(seed)
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    if reuse:
        if not (Enterprise.objects.count() == n and Filing.objects.count() == n * 2 * FILINGS_PER_YEAR
                and get_user_model().objects.filter(username="bench-official").exists()):
            raise SystemExit(f"--reuse: the bench database does not hold this bench's data ({n:,} enterprises, "
                             f"{FILINGS_PER_YEAR} filings a year); run once without --reuse")
        # the data of an earlier run: only new API tokens and a new session (the old tokens are
        # stored hashed; the old session may have expired)
        official = get_user_model().objects.get(username="bench-official")
        bank_user = get_user_model().objects.select_related("profile__bank").get(username="bench-bank")
        bank = bank_user.profile.bank
        ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
        consented = list(Consent.objects.filter(bank=bank).order_by("enterprise_id")
                         .values_list("enterprise_id", flat=True))
        return _credentials(official, bank, bank_user, ids, consented, clients, t0)
    load_reference_data()
    clusters, zones = list(Cluster.objects.all()), list(Zone.objects.exclude(kind="circle"))
    ents = [Enterprise(credit_code=make_code("9", "1", "220173", f"B{i:07d}"), name_zh=f"长春基准{i}号有限公司",
                       name_en=f"Bench {i} Co.", name_ko=f"벤치 {i}", founded=dt.date(2000 + i % 25, 1 + i % 12, 1),
                       industry="C39", cluster=clusters[i % len(clusters)], zone=zones[i % len(zones)])
            for i in range(n)]
    for e in ents:  # the save() path normalises; bulk_create skips it, so validate here
        e.credit_code = e.credit_code.upper()
    Enterprise.objects.bulk_create(ents, batch_size=5000)
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    # 45 values a year per enterprise: what the demo generator's department files give an enterprise
    # (tax, IP, social insurance, statistics, self-declared), so the page's filings table is full-size
    inds = list(Indicator.objects.order_by("code"))[:FILINGS_PER_YEAR]
    batch = ImportBatch.objects.create(source="tax", file_name="bench.csv", sha256="b" * 64, raw_path="",
                                       status="imported", started_at=timezone.now(), rows_total=n)
    with connection.cursor() as cur, cur.copy(
            "COPY region_filing (enterprise_id, year, indicator_id, source, value, batch_id, row_number, "
            "is_current, created_at) FROM STDIN") as cp:
        now = timezone.now()
        for k, eid in enumerate(ids):
            for year in (2024, 2025):
                for ind in inds:
                    cp.write_row((eid, year, ind.pk, ind.authoritative_source, rng.uniform(0, 1e7), batch.pk,
                                  k + 2, True, now))
    run = ScoringRun.objects.create(methodology="changchun-new-area", methodology_version="2026.1",
                                    spec_sha256="0" * 64, code_version="bench", year=2025, started_at=timezone.now(),
                                    finished_at=timezone.now(), status="done", units=n)
    codes = [f"ind_{j}" for j in range(23)]
    stages = ["startup", "growth", "stable"]
    scores = []
    for k, eid in enumerate(ids):
        br = {"indicators": {c: {"raw": rng.uniform(0, 1e6), "normalised": rng.uniform(0, 100),
                                 "weight": 1 / 23, "points": rng.uniform(0, 5)} for c in codes},
              "groups": {}, "base": 50.0, "bonus": 0.0, "penalty": 0.0}
        scores.append(EnterpriseScore(run=run, enterprise_id=eid, stage=stages[k % 3], score=rng.uniform(0, 100),
                                      rank=k + 1, stage_rank=k // 3 + 1, tier=rng.choice(["A", "B", "C", ""]),
                                      breakdown=br))
    EnterpriseScore.objects.bulk_create(scores, batch_size=2000)
    lrun = LadderRun.objects.create(inputs_sha256="0" * 64, code_version="bench", year=2025,
                                    started_at=timezone.now(), finished_at=timezone.now(), rows=3 * n)
    outs = [LadderOutcome(run=lrun, enterprise_id=eid, year=2025, pack=p, outcome=rng.choice(["met", "not_met"]),
                          distance=rng.uniform(0, 1), details={"gaps": {"en": "R&D intensity below 5 %"}})
            for eid in ids for p in ("tech_sme", "hnte", "srdi_sme")]
    LadderOutcome.objects.bulk_create(outs, batch_size=5000)
    password = secrets.token_urlsafe(12)
    official = services.create_user("bench-official", password, Role.OFFICIAL)
    bank = services.create_bank("Bench Bank", "bench-bank")
    bank_user = services.create_user("bench-bank", password, Role.BANK, bank=bank)
    ent_user = services.create_user("bench-ent", password, Role.ENTERPRISE,
                                    enterprise=Enterprise.objects.get(pk=ids[0]))
    consented = ids[::5]
    Consent.objects.bulk_create([Consent(enterprise_id=eid, bank=bank, purpose="bench", granted_by=ent_user,
                                         expires_at=timezone.now() + dt.timedelta(days=30), scope_breakdown=True)
                                 for eid in consented], batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return _credentials(official, bank, bank_user, ids, consented, clients, t0)


def _credentials(official, bank, bank_user, ids, consented, clients: int, t0: float) -> dict:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from innoregion.apps.access import services
    from innoregion.apps.region.models import Enterprise

    tokens = [services.create_api_token(bank, bank_user, f"client-{c}", ["summary", "breakdown"])[1]
              for c in range(clients)]
    session = SessionStore()
    session[SESSION_KEY] = str(official.pk)
    session[BACKEND_SESSION_KEY] = "innoregion.apps.access.backends.ProfileBackend"
    session[HASH_SESSION_KEY] = official.get_session_auth_hash()
    session.create()
    codes_consented = list(Enterprise.objects.filter(pk__in=consented).values_list("credit_code", flat=True))
    return {"ids": ids, "consented": codes_consented, "tokens": tokens, "session": session.session_key,
            "load_seconds": time.perf_counter() - t0}



def cursor_feed(port: int, token: str, first: str = "/api/v1/enterprises/") -> list[str]:
    """Every page of the bank list (path and query), found by following ``next`` once from ``first``
    with one token: the list pages by cursor, so "a random page" is a random one of these."""
    pages, url = [], first
    while url:
        pages.append(url)
        req = urllib.request.Request(f"http://127.0.0.1:{port}{url}", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            nxt = json.loads(resp.read())["next"]
        url = nxt and f"{urlparse(nxt).path}?{urlparse(nxt).query}"
    return pages


def _cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU seconds of each of these processes that is still there."""
    tick, out = os.sysconf("SC_CLK_TCK"), {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two readings: what each process still there spent, all of what a process
    that began in between spent (one that ended in between is lost: a slight undercount)."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def _machine_busy_seconds() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(x) for x in out]


def _postgres_pids() -> list[int]:
    return [int(x) for x in subprocess.run(["pgrep", "-u", "postgres"], capture_output=True,
                                           text=True).stdout.split()]


class CpuMeter:
    """CPU spent per request while a load runs: gunicorn's workers, PostgreSQL, the whole machine."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid

    def __enter__(self):
        self.workers, self.pg = _children(self.server_pid), _postgres_pids()
        self.start = (_cpu_seconds(self.workers), _cpu_seconds(self.pg), _machine_busy_seconds())
        return self

    def __exit__(self, *exc):
        end = (_cpu_seconds(_children(self.server_pid)), _cpu_seconds(_postgres_pids()), _machine_busy_seconds())
        self.used = [_spent(self.start[0], end[0]), _spent(self.start[1], end[1]), end[2] - self.start[2]]

    def per_request(self, n: int) -> str:
        w, pg, machine = (1e3 * x / max(1, n) for x in self.used)
        return f"CPU/request: workers {w:.1f} ms, PostgreSQL {pg:.1f} ms, machine {machine:.1f} ms"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))]


def main() -> None:  # noqa: PLR0915
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=30000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=2000, help="requests per endpoint")
    ap.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    ap.add_argument("--worker-class", choices=["gthread", "sync"], default="sync",
                    help="gunicorn worker class, as `innoregion serve --worker-class` (gthread: 4 threads a "
                         "worker, keep-alive; sync: one request at a time a worker, a connection each)")
    ap.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/innoregion_bench")
    ap.add_argument("--mode", choices=["closed", "paced", "both"], default="closed",
                    help="closed: back-to-back requests (saturation); paced: --rate requests/s per client")
    ap.add_argument("--rate", type=float, default=1.0, help="paced mode: requests per second per client")
    ap.add_argument("--endpoints", default="page,one,list",
                    help="which to measure, comma-separated: page (enterprise page), one (bank API, one "
                         "enterprise), list (bank API, a page of the list)")
    ap.add_argument("--reuse", action="store_true",
                    help="keep the bench database of an earlier run when it holds --enterprises enterprises "
                         "(only new tokens and a new session); default: drop and load it again")
    args = ap.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": args.database, "INNOREGION_DATA_DIR": str(OUT), "DJANGO_DEBUG": "0",
           "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
           "DJANGO_SETTINGS_MODULE": "innoregion.site.settings", "LOG_LEVEL": "ERROR",
           "INNOREGION_BANK_API_RATE": "100000/min"}
    os.environ.update(env)
    if not args.reuse:
        recreate_database(args.database)
    data = populate(args.enterprises, args.clients, reuse=args.reuse)
    print(f"{'reused' if args.reuse else 'loaded'} {args.enterprises:,} enterprises in {data['load_seconds']:.1f} s "
          f"({len(data['consented']):,} consenting to the bench bank)")
    port = _free_port()
    log = open(OUT / "gunicorn.log", "w")
    from innoregion.cli.serve import gunicorn_args

    # exactly what `innoregion serve` runs (access log included), keep-alive connections for gthread
    command = [*gunicorn_args("127.0.0.1", port, args.workers, args.worker_class), "--keep-alive", "30"]
    server = subprocess.Popen([sys.executable, "-m", *command], env=env, stdout=log, stderr=log, cwd=REPO)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        ids, consented, tokens = data["ids"], data["consented"], data["tokens"]
        feed = cursor_feed(port, tokens[0]) if "list" in args.endpoints.split(",") else []
        rng = random.Random(5)
        cookie = {"Cookie": f"sessionid={data['session']}", "Accept-Language": "zh-hans"}
        scenarios = [
            ("enterprise page (official, HTML)", lambda c, k: f"/enterprises/{rng.choice(ids)}/",
             lambda c: cookie),
            ("bank API: one enterprise", lambda c, k: f"/api/v1/enterprises/{rng.choice(consented)}/",
             lambda c: {"Authorization": f"Bearer {tokens[c]}"}),
            ("bank API: list page of 50",
             lambda c, k: rng.choice(feed),  # a random page of the cursor feed
             lambda c: {"Authorization": f"Bearer {tokens[c]}"}),
        ]
        wanted = set(args.endpoints.split(","))
        scenarios = [sc for key, sc in zip(("page", "one", "list"), scenarios, strict=True) if key in wanted]
        threads = 4 if args.worker_class == "gthread" else 1
        print(f"gunicorn: {args.workers} workers × {threads} threads ({args.worker_class}); {args.clients} clients; "
              f"{args.requests} requests per endpoint after a warm-up; load average {os.getloadavg()[0]:.2f}")
        modes = ["closed", "paced"] if args.mode == "both" else [args.mode]
        for mode in modes:
            label = "closed loop (back-to-back)" if mode == "closed" else \
                f"paced ({args.rate:g} request/s per client, {args.clients * args.rate:g} offered req/s)"
            print(f"-- {label}")
            print(f"{'endpoint':<36} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8}  statuses")
            for name, paths, headers in scenarios:
                loadgen.run(port, paths, headers, clients=args.clients, total=args.clients * 2)  # warm-up
                with CpuMeter(server.pid) as meter:
                    res = loadgen.run(port, paths, headers, clients=args.clients, total=args.requests,
                                      rate=None if mode == "closed" else args.rate)
                lat, statuses, wall = res.latencies, res.statuses, res.wall
                ok = all(s == 200 for s in statuses)
                print(f"{name:<36} {statistics.median(lat) * 1e3:8.1f} {pct(lat, 95) * 1e3:8.1f} "
                      f"{pct(lat, 99) * 1e3:8.1f} {len(lat) / wall:8.1f}  {statuses}"
                      f"{'' if ok else '  <-- errors'}", flush=True)
                print(f"{'':<36} {meter.per_request(len(lat))}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
