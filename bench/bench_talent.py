"""Benchmark talent-code verification on one core.

Run: ``.venv/bin/python bench/bench_talent.py [--n N]``. Issues N credentials, makes one fresh
presentation each, then times the full offline verification (parse, issuer key and signature, expiry,
status list lookup, device signature, freshness, replay cache, catalogue services) of all N in one
thread. Also times signing a presentation (what the phone does every 30 s), re-verifying the same holders' next
presentations (issuer signature cached), building and signing a
131,072-entry status list, and the QR round trip (PNG encode, decode). Target: >= 1,000 verifications/s.
Rates are given per second of this process's CPU time (what one core delivers, whatever else runs on the
machine) and per second of wall clock.
Figures go to docs/benchmarks.md ("## Talent code").
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time

from innoregion.engines.credentials import (
    ED25519,
    REVOKED,
    Holder,
    KeyRing,
    StatusList,
    TrustedKey,
    Verifier,
    issue_credential,
    load_catalogue,
    qr,
    sign_status_list,
)
from innoregion.engines.credentials.algorithms import Signer
from innoregion.engines.credentials.catalogue import Catalogue


def _holders(cat: Catalogue, issuer: Signer, indexes: list[int], now: int) -> list[Holder]:
    """One holder (credential and device key) per status-list index, the tiers taken in turn."""
    tiers = [tier.code for tier in cat.tiers]
    holders = []
    for n, index in enumerate(indexes):
        device = ED25519.generate()
        cred = issue_credential(signer=issuer, kid="k1", subject=f"S{n:015d}", tier=tiers[n % len(tiers)],
                                catalogue=cat.id, device_key=device.public_key_bytes(), status_list="talent-1",
                                status_index=index, issued_at=now, expires_at=now + 86400)
        holders.append(Holder(cred, device))
    return holders


def _qr_timings(sample: list[str]) -> tuple[float, float]:
    """Seconds to encode ``sample`` as QR PNGs and to decode them back (checked)."""
    t = time.perf_counter()
    pngs = [qr.to_png(text) for text in sample]
    t_png = time.perf_counter() - t
    t = time.perf_counter()
    decoded = [qr.decode_image(png) for png in pngs]
    t_decode = time.perf_counter() - t
    assert decoded == sample
    return t_png, t_decode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    cat = load_catalogue()
    issuer = ED25519.generate()
    ring = KeyRing({"k1": TrustedKey("k1", issuer.public_key_bytes())})
    now = int(time.time())
    size = 2**17
    statuses = StatusList(size)
    rng = random.Random(7)
    indexes = rng.sample(range(size), args.n)
    for i in rng.sample(indexes, args.n // 100):
        statuses.set(i, REVOKED)  # 1 % revoked

    t = time.perf_counter()
    token = sign_status_list(statuses, list_id="talent-1", signer=issuer, kid="k1", issued_at=now)
    t_status = time.perf_counter() - t

    holders = _holders(cat, issuer, indexes, now)

    t = time.perf_counter()
    texts = [h.present(now=now).to_text() for h in holders]
    t_present = time.perf_counter() - t

    verifier = Verifier(ring, {cat.id: cat})
    verifier.load_status_list(token)
    t, c = time.perf_counter(), time.process_time()
    results = [verifier.verify(text, now=now + 1) for text in texts]
    t_verify, c_verify = time.perf_counter() - t, time.process_time() - c
    valid = sum(r.valid for r in results)
    # the same holders 30 s later: new presentations of credentials this service point has seen
    again = [h.present(now=now + 30).to_text() for h in holders]
    t, c = time.perf_counter(), time.process_time()
    results_again = [verifier.verify(text, now=now + 31) for text in again]
    t_warm, c_warm = time.perf_counter() - t, time.process_time() - c
    assert sum(r.valid for r in results_again) == valid

    # the floor: the two Ed25519 verifications a first-sight check needs, nothing else
    pres0 = holders[0].present(now=now)
    cred0 = pres0.credential
    c = time.process_time()
    for _ in range(args.n):
        ED25519.verify(issuer.public_key_bytes(), cred0.signature, cred0.signing_input())
    c_ed = (time.process_time() - c) / args.n

    sample = texts[: min(200, len(texts))]
    t_png, t_decode = _qr_timings(sample)

    symbol = qr.make_qr(texts[0])
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, one core, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"presentation: {len(holders[0].present(now=now).to_bytes())} bytes, {len(texts[0])} characters, "
          f"QR version {symbol.version}-{symbol.error} ({symbol.mode})")
    print(f"status list: {size} entries, token {len(token)} characters, built and signed in {t_status * 1000:.1f} ms")
    print(f"sign presentation: {args.n / t_present:,.0f}/s ({t_present / args.n * 1e6:.0f} µs each)")
    print(f"verify, first sight of each credential: {args.n} checked, {valid} valid, {args.n - valid} rejected "
          f"as revoked; {args.n / c_verify:,.0f}/s of CPU time ({c_verify / args.n * 1e6:.0f} µs each), "
          f"{args.n / t_verify:,.0f}/s wall clock")
    print(f"Ed25519 verify alone: {1 / c_ed:,.0f}/s of CPU time ({c_ed * 1e6:.0f} µs; a first-sight check needs two)")
    print(f"verify, credential seen before (issuer signature cached): {args.n / c_warm:,.0f}/s of CPU time "
          f"({c_warm / args.n * 1e6:.0f} µs each), {args.n / t_warm:,.0f}/s wall clock")
    print(f"QR PNG encode: {len(sample) / t_png:,.0f}/s; QR decode from PNG: {len(sample) / t_decode:,.0f}/s")


if __name__ == "__main__":
    main()
