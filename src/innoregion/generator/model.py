"""The economic model of the demo region: one block of enterprises, all years, vectorised.

Everything is drawn from numpy Generators seeded by (seed, block index, stream), so a block's content
depends only on the arguments, never on what other blocks did. Money is in yuan (float, rounded to fen
when written), counts are integers. ``NaN`` means "no value" before the missing-value mask is applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from innoregion.data.catalogue import load_region
from innoregion.generator import codes, names

# stream identifiers for numpy SeedSequence([seed, chunk, stream, ...])
S_FIRMS, S_YEARS, S_IP, S_SELF, S_MISSING, S_BAD, S_CONFLICT, S_PLATFORMS, S_TALENTS, S_LISTS = range(1, 11)

# GB/T 4754-2017 classes under each prefix that region.yaml gives for a cluster
INDUSTRY_CLASSES: dict[str, list[str]] = {
    "C27": ["C2710", "C2720", "C2740", "C2761", "C2762", "C2770"],
    "C35": ["C3544", "C3581", "C3584"],
    "C358": ["C3581", "C3583", "C3584", "C3586"],
    "C39": ["C3973", "C3974", "C3975", "C3976", "C3979"],
    "C40": ["C4011", "C4014", "C4040"],
    "C38": ["C3841", "C3871", "C3872"],
    "C26": ["C2614", "C2651", "C2652", "C2662"],
    "C29": ["C2922", "C2929"],
    "C30": ["C3061", "C3062", "C3091"],
    "C32": ["C3232", "C3240"],
    "I64": ["I6431", "I6450"],
    "I65": ["I6511", "I6513", "I6520", "I6531"],
    "M73": ["M7310", "M7320", "M7340"],
    "M75": ["M7512", "M7520", "M7530", "M7540"],
    "L72": ["L7212", "L7213"],
    "C37": ["C3742", "C3743"],
}

CLUSTER_WEIGHTS = {"pharma-valley": 0.22, "optics-valley": 0.25, "new-materials": 0.17,
                   "modern-services": 0.26, "future-industries": 0.10}
# log of typical revenue (yuan) of a firm of average size, per cluster
CLUSTER_LOG_REVENUE = {"pharma-valley": 16.0, "optics-valley": 15.8, "new-materials": 16.2,
                       "modern-services": 15.0, "future-industries": 14.8}
# revenue per employee (yuan)
CLUSTER_REV_PER_EMPLOYEE = {"pharma-valley": 800_000, "optics-valley": 700_000, "new-materials": 900_000,
                            "modern-services": 450_000, "future-industries": 500_000}
CLUSTER_TECH_SHARE = {"pharma-valley": 0.30, "optics-valley": 0.35, "new-materials": 0.20,
                      "modern-services": 0.30, "future-industries": 0.50}
# chance that a firm outside the HNTE population still has its core technology in an HNTE field
CLUSTER_HNTE_FIELD = {"pharma-valley": 0.55, "optics-valley": 0.6, "new-materials": 0.45,
                      "modern-services": 0.3, "future-industries": 0.7}
HNTE_RULES_FROM = 2008  # first certificates under the 2008 recognition rules; certificates run 3 years
NO_RD_SERVICES, NO_RD_OTHER = 0.45, 0.25  # share of firms without R&D (services/materials, the rest)
HNTE_SHARE = 0.55  # share of the firms that could be HNTE (R&D over the threshold, engineers) that are
CLUSTER_STRATEGIC = {"pharma-valley": 0.6, "optics-valley": 0.65, "new-materials": 0.5,
                     "modern-services": 0.2, "future-industries": 0.85}
# zone weights per cluster (south, north, airport, beihu-core, jlu-circle, beihu-circle)
ZONES = ["south", "north", "airport", "beihu-core", "jlu-circle", "beihu-circle"]
CLUSTER_ZONES = {"pharma-valley": [0.45, 0.15, 0.10, 0.05, 0.15, 0.10],
                 "optics-valley": [0.15, 0.45, 0.05, 0.10, 0.10, 0.15],
                 "new-materials": [0.20, 0.30, 0.30, 0.02, 0.08, 0.10],
                 "modern-services": [0.25, 0.15, 0.10, 0.25, 0.10, 0.15],
                 "future-industries": [0.10, 0.20, 0.15, 0.30, 0.10, 0.15]}
MANUFACTURING = {"pharma-valley", "optics-valley", "new-materials"}

GROWTH_NORMAL, GROWTH_SHRINK, GROWTH_GAZELLE, GROWTH_UNICORN = 0, 1, 2, 3
STATUS = np.array(["active", "suspended", "deregistered"])
UNICORNS_IN_FIRST_CHUNK = 2


def stream(seed: int, chunk: int, kind: int, *extra: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, chunk, kind, *extra]))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class Chunk:
    """One chunk of enterprises: register rows and per-year values (arrays of shape (n, years))."""

    start: int
    years: list[int]
    registry: pl.DataFrame
    files: np.ndarray            # bool (n, Y): the firm exists and files in that year
    cluster: np.ndarray          # cluster code per firm
    growth: np.ndarray           # growth class per firm
    self_filer: np.ndarray       # bool per firm
    stats_sample: np.ndarray     # bool per firm
    short_names: pl.DataFrame | None = None  # names without the company form, for platform names
    values: dict[str, np.ndarray] = field(default_factory=dict)
    blocks: list[tuple[int, int]] = field(default_factory=list)  # (block index, firms), in order

    @property
    def n(self) -> int:
        return self.registry.height


def concat(parts: list[Chunk]) -> Chunk:
    """Blocks simulated separately, joined into one chunk (in order)."""
    if len(parts) == 1:
        return parts[0]
    return Chunk(
        start=parts[0].start, years=parts[0].years,
        registry=pl.concat([p.registry for p in parts]),
        files=np.vstack([p.files for p in parts]),
        cluster=np.concatenate([p.cluster for p in parts]),
        growth=np.concatenate([p.growth for p in parts]),
        self_filer=np.concatenate([p.self_filer for p in parts]),
        stats_sample=np.concatenate([p.stats_sample for p in parts]),
        short_names=pl.concat([p.short_names for p in parts]),
        values={k: np.vstack([p.values[k] for p in parts]) for k in parts[0].values},
        blocks=[b for p in parts for b in p.blocks],
    )


class _Block:
    """The firms of one block while :func:`simulate` draws them: the arguments and the region, then
    every array a step draws, kept as an attribute of the same name for the steps after it."""

    def __init__(self, seed: int, chunk: int, start: int, n: int, years: list[int]):
        region = load_region()
        self.seed, self.chunk, self.start, self.n, self.years = seed, chunk, start, n, years
        self.clusters = [c["code"] for c in region["clusters"]]
        self.cl_spec = {c["code"]: c for c in region["clusters"]}
        self.Y = len(years)
        self.first, self.last = years[0], years[-1]
        self.index = np.arange(start, start + n, dtype=np.int64)
        self.yr = np.array(years)[None, :]


def _who(b: _Block, rng: np.random.Generator) -> None:
    """Cluster, industry, zone and founding date of every firm."""
    n, clusters, cl_spec, last = b.n, b.clusters, b.cl_spec, b.last
    w = np.array([CLUSTER_WEIGHTS[c] for c in clusters])
    ci = rng.choice(len(clusters), size=n, p=w / w.sum())
    cluster = np.array(clusters, dtype=object)[ci]
    industry = np.empty(n, dtype=object)
    zone = np.empty(n, dtype=object)
    for k, code in enumerate(clusters):
        sel = ci == k
        options = [cls for prefix in cl_spec[code]["industries"] for cls in INDUSTRY_CLASSES[prefix]]
        industry[sel] = np.array(options, dtype=object)[rng.integers(0, len(options), sel.sum())]
        zone[sel] = np.array(ZONES, dtype=object)[rng.choice(len(ZONES), sel.sum(), p=CLUSTER_ZONES[code])]
    age_last = np.minimum(np.floor(rng.gamma(2.0, 5.0, n)).astype(np.int64), last - 1988)
    founded_year = last - age_last
    founded_doy = rng.integers(0, 365, n)
    founded = (np.array([f"{y}-01-01" for y in founded_year], dtype="datetime64[D]")
               + founded_doy.astype("timedelta64[D]"))
    # a founding date in the last year must not run past the end of the data
    founded = np.minimum(founded, np.datetime64(f"{last}-12-31"))
    b.cluster, b.industry, b.zone = cluster, industry, zone
    b.age_last, b.founded_year, b.founded = age_last, founded_year, founded


def _growth_class(b: _Block, rng: np.random.Generator) -> None:
    """Growth class (the unicorn candidates in the first block), status and the years each firm files."""
    n, chunk, cluster, first, last, yr = b.n, b.chunk, b.cluster, b.first, b.last, b.yr
    age_last, founded_year, founded = b.age_last, b.founded_year, b.founded
    # growth class: most grow modestly, some shrink, a few % are gazelles
    u = rng.random(n)
    growth = np.where(u < 0.04, GROWTH_GAZELLE, np.where(u < 0.17, GROWTH_SHRINK, GROWTH_NORMAL))
    growth[age_last < 1] = GROWTH_NORMAL
    if chunk == 0 and n >= 50:
        candidates = np.flatnonzero(np.isin(cluster, ["future-industries", "optics-valley", "pharma-valley"]))
        unicorns = rng.choice(candidates, size=min(UNICORNS_IN_FIRST_CHUNK, candidates.size), replace=False)
        growth[unicorns] = GROWTH_UNICORN
        age_last[unicorns] = rng.integers(5, 9, unicorns.size)
        founded_year[unicorns] = last - age_last[unicorns]
        founded[unicorns] = np.array([f"{y}-03-18" for y in founded_year[unicorns]], dtype="datetime64[D]")
    status_u = rng.random(n)
    status = np.where(status_u < 0.03, 1, np.where(status_u < 0.08, 2, 0))
    status[growth == GROWTH_UNICORN] = 0
    status[growth == GROWTH_GAZELLE] = 0
    # the year from which a suspended or deregistered firm stops filing
    exit_year = np.where(status > 0, rng.integers(first + 1, last + 2, n), last + 1)
    exit_year = np.maximum(exit_year, founded_year + 1)
    status[exit_year > last] = 0
    files = (founded_year[:, None] <= yr) & (yr < exit_year[:, None])
    b.growth, b.status, b.exit_year, b.files = growth, status, exit_year, files


def _size_and_growth_paths(b: _Block, rng: np.random.Generator) -> None:
    n, Y, first, yr = b.n, b.Y, b.first, b.yr
    cluster, growth, founded_year = b.cluster, b.growth, b.founded_year
    size = rng.normal(0.0, 1.4, n)
    log_rev0 = (np.array([CLUSTER_LOG_REVENUE[c] for c in cluster]) + size
                + 0.35 * np.log1p(np.maximum(first - founded_year, 0)))
    g_firm = np.select(
        [growth == GROWTH_GAZELLE, growth == GROWTH_SHRINK, growth == GROWTH_UNICORN],
        [rng.uniform(0.28, 0.65, n), rng.uniform(-0.25, -0.04, n), rng.uniform(0.8, 1.5, n)],
        rng.normal(0.06, 0.05, n),
    )
    noise_sd = np.where(growth == GROWTH_NORMAL, 0.07, 0.03)
    g = g_firm[:, None] + rng.normal(0, 1, (n, Y)) * noise_sd[:, None]
    g = np.maximum(g, -0.6)
    log_growth = np.cumsum(np.log1p(g), axis=1) - np.log1p(g[:, :1])  # first year = base
    revenue = np.exp(log_rev0[:, None] + log_growth)
    # a firm founded inside the window starts small and has a partial first year
    age = yr - founded_year[:, None]
    ramp = np.where(age <= 0, 0.25, np.where(age == 1, 0.6, 1.0))
    revenue = revenue * ramp
    unicorn = growth == GROWTH_UNICORN
    if unicorn.any():
        revenue[unicorn] = np.exp(np.linspace(18.0, 20.5, Y))[None, :] * rng.uniform(0.8, 1.2, (unicorn.sum(), 1))
    b.size, b.revenue, b.age, b.unicorn = size, revenue, age, unicorn


def _research(b: _Block, rng: np.random.Generator) -> None:
    n, Y, cl_spec, cluster = b.n, b.Y, b.cl_spec, b.cluster
    growth, unicorn, revenue = b.growth, b.unicorn, b.revenue
    lo = np.array([cl_spec[c]["rd_intensity"][0] for c in cluster])
    hi = np.array([cl_spec[c]["rd_intensity"][1] for c in cluster])
    intensity = rng.uniform(lo, hi)
    # many registered firms (trading, services, contract manufacturing) do no R&D at all
    no_rd_p = np.where(np.isin(cluster, ["modern-services", "new-materials"]), NO_RD_SERVICES, NO_RD_OTHER)
    intensity[rng.random(n) < no_rd_p] = 0.0
    intensity[growth == GROWTH_GAZELLE] *= 1.3
    intensity[unicorn] = rng.uniform(0.25, 0.4, unicorn.sum())
    rd = revenue * intensity[:, None] * rng.lognormal(0, 0.1, (n, Y))
    rd_domestic = rd * np.where(rng.random(n) < 0.6, 1.0, rng.uniform(0.85, 1.0, n))[:, None]
    b.intensity, b.rd, b.rd_domestic = intensity, rd, rd_domestic


def _accounts(b: _Block, rng: np.random.Generator) -> None:
    """Accounts, and which firms are (or could be) high- and new-technology enterprises."""
    n, Y, cluster, revenue, intensity, age_last = b.n, b.Y, b.cluster, b.revenue, b.intensity, b.age_last
    main_business = revenue * rng.uniform(0.8, 1.0, n)[:, None]
    tech_share = np.clip(rng.beta(4, 8, n) * np.array([CLUSTER_TECH_SHARE[c] for c in cluster]) / (4 / 12),
                         0.02, 0.95)
    tech_share = np.where(intensity > 0, tech_share, np.maximum(0.01, tech_share * 0.4))  # no R&D, few engineers
    # the HNTE population: R&D above the recognition threshold for its size (5 % up to ¥50 M revenue, 4 % up
    # to ¥200 M, 3 % above) with a margin, and enough engineers
    rd_floor = np.where(revenue[:, -1] <= 5e7, 0.05, np.where(revenue[:, -1] <= 2e8, 0.04, 0.03)) * 1.1
    hnte_ready = (intensity >= rd_floor) & (tech_share >= 0.15)
    hnte = hnte_ready & (rng.random(n) < HNTE_SHARE)
    # the others of that population are the ladder's HNTE candidates: not (yet) certified, high-tech revenue
    # 40–85 % of the total
    candidate = hnte_ready & ~hnte
    low_share = rng.uniform(0, 0.3, n)
    ht_share = np.where(hnte, rng.uniform(0.6, 0.95, n),
                        np.where(candidate, 0.4 + 1.5 * low_share, np.where(intensity > 0, low_share, 0.0)))
    high_tech = revenue * ht_share[:, None]
    margin = (rng.normal(0.05, 0.09, n) - 0.5 * intensity * (age_last < 4))[:, None] + rng.normal(0, 0.03, (n, Y))
    margin = np.clip(margin, -1.5, 0.45)
    profit_before = revenue * margin
    total_cost = revenue - profit_before
    net_profit = np.where(profit_before > 0, profit_before * 0.85, profit_before)
    total_assets = revenue * rng.lognormal(np.log(1.3), 0.4, n)[:, None] * rng.lognormal(0, 0.05, (n, Y))
    total_liabilities = total_assets * rng.beta(2.2, 3.0, n)[:, None] * rng.uniform(0.95, 1.05, (n, Y))
    total_liabilities = np.minimum(total_liabilities, total_assets * 1.0)
    tax_rate = np.where(hnte, 0.15, 0.25)[:, None]
    tax_paid = np.maximum(profit_before, 0) * tax_rate + revenue * 0.012
    b.main_business, b.tech_share, b.high_tech = main_business, tech_share, high_tech
    b.hnte_ready, b.hnte, b.candidate = hnte_ready, hnte, candidate
    b.total_cost, b.net_profit, b.tax_paid = total_cost, net_profit, tax_paid
    b.total_assets, b.total_liabilities = total_assets, total_liabilities


def _staff(b: _Block, rng: np.random.Generator) -> None:
    n, Y, cluster, revenue, tech_share, rd = b.n, b.Y, b.cluster, b.revenue, b.tech_share, b.rd
    rpe = np.array([CLUSTER_REV_PER_EMPLOYEE[c] for c in cluster]) * rng.lognormal(0, 0.4, n)
    employees = np.maximum(2, np.round(revenue / rpe[:, None] * rng.lognormal(0, 0.04, (n, Y))))
    yrng = stream(b.seed, b.chunk, S_YEARS)
    tech_staff = yrng.binomial(employees.astype(np.int64), tech_share[:, None])
    rd_staff = np.where(rd > 0, yrng.binomial(tech_staff, rng.uniform(0.4, 0.8, n)[:, None]), 0)
    grad_share = np.clip(tech_share + rng.uniform(0.05, 0.35, n), 0, 1)
    graduate = np.maximum(tech_staff, yrng.binomial(employees.astype(np.int64), grad_share[:, None]))
    leading = np.minimum(tech_staff, yrng.poisson(0.002 * employees + 0.4 * (rd > 5e6)))
    b.employees, b.tech_staff, b.rd_staff = employees, tech_staff, rd_staff
    b.graduate, b.leading = graduate, leading


def _patents(b: _Block, irng: np.random.Generator) -> None:
    """Patents and applications: zero-inflated, correlated with R&D."""
    n, Y, rd, hnte, hnte_ready, cluster = b.n, b.Y, b.rd, b.hnte, b.hnte_ready, b.cluster
    z = np.log10(rd[:, 0] + 1.0)
    patenter = irng.random(n) < _sigmoid(1.6 * (z - 6.6))
    patenter |= hnte & (irng.random(n) < 0.5)  # an HNTE needs IP of its own (utility patents at least, below)
    rd_m = rd / 1e6
    inv0 = np.where(patenter, irng.negative_binomial(1.2, 1.2 / (1.2 + 2 + 4 * rd_m[:, 0] ** 0.6)), 0)
    apps = np.where(patenter[:, None], irng.poisson(0.4 + 1.2 * rd_m**0.6), 0)
    apps = np.where(~patenter[:, None] & (irng.random((n, Y)) < 0.02), 1, apps)
    grants = irng.binomial(apps, 0.55)
    inventions = inv0[:, None] + np.cumsum(grants, axis=1) - grants[:, :1]
    hv_share = irng.uniform(0.2, 0.6, n)[:, None]
    high_value = irng.binomial(inventions, hv_share)
    manuf = np.isin(cluster, list(MANUFACTURING))
    util_p = _sigmoid(1.2 * (z - 6.0)) * np.where(manuf, 1.0, 0.4)
    util_p = np.where(hnte_ready, np.maximum(util_p, 0.8), util_p)
    util0 = np.where(irng.random(n) < util_p, irng.negative_binomial(1.0, 1.0 / (1.0 + 5 + 4 * rd_m[:, 0] ** 0.5)), 0)
    utility = util0[:, None] + np.cumsum(irng.poisson(0.15 * util0[:, None] + 0.05, (n, Y)), axis=1)
    des0 = np.where(irng.random(n) < 0.1, irng.poisson(2.0, n), 0)
    design = des0[:, None] + np.cumsum(irng.poisson(0.1 * des0[:, None], (n, Y)), axis=1)
    b.z, b.patenter, b.apps, b.inventions, b.high_value = z, patenter, apps, inventions, high_value
    b.manuf, b.utility, b.design = manuf, utility, design


def _other_ip(b: _Block, irng: np.random.Generator) -> None:
    """Software, class I IP, PCT applications, transferred results and standards."""
    n, Y, industry, patenter, hnte, hnte_ready = b.n, b.Y, b.industry, b.patenter, b.hnte, b.hnte_ready
    candidate, intensity, size = b.candidate, b.intensity, b.size
    software_heavy = np.isin(np.array([s[:3] for s in industry]), ["I64", "I65"])
    sw0 = np.where(irng.random(n) < np.where(software_heavy, 0.7, 0.2),
                   irng.negative_binomial(1.0, 1.0 / (1.0 + np.where(software_heavy, 8, 3)), n), 0)
    software = sw0[:, None] + np.cumsum(irng.poisson(0.2 * sw0[:, None], (n, Y)), axis=1)
    pharma = np.array([s[:3] == "C27" for s in industry])
    class1 = np.where((pharma & (irng.random(n) < 0.06)) | (irng.random(n) < 0.005),
                      1 + irng.poisson(0.8, n), 0)[:, None] + np.zeros((n, Y), dtype=np.int64)
    pct = np.where(patenter[:, None] & (irng.random(n) < 0.08)[:, None], irng.poisson(1.5, (n, Y)), 0)
    # results transformed into products or licences: an HNTE reports some every year (it is scored on them)
    transfer_p = np.where(hnte, 0.95, np.where(candidate, 0.6, 0.2))
    transfers = np.where((patenter | hnte_ready)[:, None] & (irng.random(n) < transfer_p)[:, None],
                         irng.poisson(np.where(hnte_ready, 2.5 + 15 * intensity, 1.0)[:, None], (n, Y)), 0)
    standards = np.where((irng.random(n) < 0.02 + 0.05 * (size > 1.5))[:, None], irng.poisson(0.8, (n, Y)), 0)
    b.software, b.class1, b.pct, b.transfers, b.standards = software, class1, pct, transfers, standards


def _statistics(b: _Block, irng: np.random.Generator) -> None:
    """The statistics bureau: R&D institution level and the survey sample."""
    n, Y, z, rd = b.n, b.Y, b.z, b.rd
    level_u = irng.random(n)
    big = np.clip(z - 6.0, 0, 3)
    rd_level = np.where(rd[:, 0] <= 0, 0, np.where(level_u < 0.002 * big, 3,
                        np.where(level_u < 0.02 * big, 2, np.where(level_u < 0.07 * big, 1, 0))))
    rd_level = rd_level[:, None] + np.zeros((n, Y), dtype=np.int64)
    stats_sample = irng.random(n) < 0.10
    b.rd_level, b.stats_sample = rd_level, stats_sample


def _financing(b: _Block, srng: np.random.Generator) -> None:
    """Self-declaration: who files it, financing rounds and valuation."""
    n, Y, unicorn, growth = b.n, b.Y, b.unicorn, b.growth
    age_last, intensity, revenue = b.age_last, b.intensity, b.revenue
    self_filer = (srng.random(n) < 0.7) | unicorn  # unicorn candidates take part in the points system
    round_p = 0.02 + 0.15 * (growth == GROWTH_GAZELLE) + 0.08 * ((age_last < 6) & (intensity > 0.05))
    rounds = srng.random((n, Y)) < round_p[:, None]
    financing = np.where(rounds, np.round(srng.lognormal(np.log(1.0e7), 1.0, (n, Y))), 0.0)
    if unicorn.any():
        financing[unicorn] = np.round(srng.uniform(3e8, 1.5e9, (unicorn.sum(), Y)))
    pre_valued = (srng.random(n) < 0.05 * (intensity > 0.04))[:, None]
    post_money_usd = np.cumsum(financing * srng.uniform(4, 10, (n, 1)) / 7.1, axis=1)
    valuation = np.where(post_money_usd > 0, np.round(post_money_usd),
                         np.where(pre_valued, np.round(revenue * 2 / 7.1), np.nan))
    if unicorn.any():
        valuation[unicorn] = np.round(np.linspace(3e8, 1.2e9, Y)[None, :] * srng.uniform(1.0, 2.0, (unicorn.sum(), 1)))
    b.self_filer, b.financing, b.valuation = self_filer, financing, valuation


def _declared_facts(b: _Block, srng: np.random.Generator) -> None:
    """Self-declaration: market, digital level, certificates, brand, awards and the negative facts."""
    n, Y, age, cluster, manuf, growth = b.n, b.Y, b.age, b.cluster, b.manuf, b.growth
    niche = np.maximum(0, np.floor(np.maximum(age, 0) * srng.uniform(0.5, 1.0, n)[:, None]))
    strategic = (srng.random(n) < np.array([CLUSTER_STRATEGIC[c] for c in cluster]))[:, None] + np.zeros((n, Y))
    share = np.round(srng.beta(0.6, 25, n)[:, None] * srng.lognormal(0, 0.05, (n, Y)), 4).clip(0, 1)
    digital0 = srng.choice(3, n, p=[0.45, 0.40, 0.15])
    digital = np.minimum(2, digital0[:, None] + np.cumsum(srng.random((n, Y)) < 0.08, axis=1))
    certs = srng.poisson(np.where(manuf, 1.5, 0.6), n)[:, None] + np.cumsum(srng.random((n, Y)) < 0.1, axis=1)
    overseas = (srng.random(n) < np.where(manuf, 0.12, 0.04))[:, None] + np.zeros((n, Y))
    brand = (srng.random(n) < 0.45)[:, None] + np.zeros((n, Y))
    chain = srng.choice(3, n, p=[0.6, 0.3, 0.1])[:, None] + np.zeros((n, Y))
    award = srng.choice(3, n, p=[0.96, 0.035, 0.005])[:, None] + np.zeros((n, Y))
    incident = (srng.random((n, Y)) < 0.01).astype(float)
    misconduct = (srng.random(n) < 0.002)[:, None] + np.zeros((n, Y))
    debtor = (srng.random(n) < np.where(growth == GROWTH_SHRINK, 0.03, 0.004))[:, None] + np.zeros((n, Y))
    b.niche, b.strategic, b.share, b.digital, b.certs = niche, strategic, share, digital, certs
    b.overseas, b.brand, b.chain, b.award = overseas, brand, chain, award
    b.incident, b.misconduct, b.debtor = incident, misconduct, debtor


def _certificates(b: _Block, lrng: np.random.Generator) -> None:
    """HNTE certificates and fields, restricted products, private funding."""
    n, Y, yr, founded_year, hnte, intensity = b.n, b.Y, b.yr, b.founded_year, b.hnte, b.intensity
    tech_share, cluster, size, unicorn = b.tech_share, b.cluster, b.size, b.unicorn
    # HNTE certificates: first one a few years after founding (not before the 2008 rules), renewed every
    # three years; the tax return names the certificate's year, the self-declaration says "certified"
    first_cert = founded_year + 1 + np.floor(lrng.exponential(2.0, n)).astype(np.int64)
    early = first_cert < HNTE_RULES_FROM
    first_cert = np.where(early, HNTE_RULES_FROM + lrng.integers(0, 8, n), first_cert)
    first_cert = np.maximum(first_cert, founded_year + 1)
    certified = hnte[:, None] & (yr >= first_cert[:, None])
    hnte_y = certified.astype(float)
    cycle_start = first_cert[:, None] + 3 * ((yr - first_cert[:, None]) // 3)
    hnte_recognised = np.where(certified, cycle_start, np.nan)
    hnte_first = np.where(certified, first_cert[:, None], np.nan)
    hnte_field = (hnte | ((intensity > 0) & (tech_share >= 0.1)
                         & (lrng.random(n) < np.array([CLUSTER_HNTE_FIELD[c] for c in cluster])))
                  | (lrng.random(n) < 0.03))[:, None] + np.zeros((n, Y))
    restricted = (lrng.random(n) < np.where(cluster == "new-materials", 0.03, 0.008))[:, None] + np.zeros((n, Y))
    state_p = 0.03 + 0.08 * (size > 1.5) + 0.04 * (cluster == "new-materials")
    private = ~(lrng.random(n) < state_p) | unicorn
    private = private[:, None] + np.zeros((n, Y))
    b.hnte_y, b.hnte_recognised, b.hnte_first, b.hnte_field = hnte_y, hnte_recognised, hnte_first, hnte_field
    b.restricted, b.private = restricted, private


def _abnormal_and_spending(b: _Block, lrng: np.random.Generator) -> None:
    """Abnormal-operation listings, S&T activity spending and the class I IP developed in house."""
    n, Y, yr, last, status, exit_year, growth = b.n, b.Y, b.yr, b.last, b.status, b.exit_year, b.growth
    rd, inventions, class1 = b.rd, b.inventions, b.class1
    # abnormal operation: listed in a year (failing the annual report, unreachable address …), more often
    # for shrinking firms and in the last year before a firm stops filing; half stay listed a second year
    last_filing = np.where(status > 0, exit_year - 1, last + 1)
    abn_p = (0.004 + 0.03 * (growth == GROWTH_SHRINK))[:, None] + 0.25 * (yr == last_filing[:, None])
    listed_now = lrng.random((n, Y)) < abn_p
    stays = lrng.random((n, Y)) < 0.5
    abnormal = listed_now.copy()
    abnormal[:, 1:] |= listed_now[:, :-1] & stays[:, 1:]
    abnormal = abnormal.astype(float)
    # S&T activity spending: R&D plus the rest of the S&T budget (training, equipment, transfer)
    st_activity = rd * lrng.uniform(1.05, 1.6, n)[:, None] * np.maximum(1.0, lrng.lognormal(0, 0.05, (n, Y)))
    # I-class IP developed in house: most patenters own what they invented, a few bought theirs
    own_share = np.where(lrng.random(n) < 0.1, lrng.uniform(0.0, 0.5, n), lrng.beta(8, 1.5, n))
    class1_self = np.floor(own_share[:, None] * (inventions + class1) + 0.5)
    b.abnormal, b.st_activity, b.class1_self = abnormal, st_activity, class1_self


def _awards_and_titles(b: _Block, lrng: np.random.Generator) -> None:
    """Award ranks, innovation titles and the 创客中国 contest."""
    n, yr, first, last, award, inventions = b.n, b.yr, b.first, b.last, b.award, b.inventions
    age_last, intensity = b.age_last, b.intensity
    # award ranks, consistent with st_award_level (the highest award of the last three years)
    rank = 1 + np.floor(lrng.exponential(5.0, n))  # the firm's place among the award's units
    award_lvl = award[:, 0]
    nat_top5 = ((award_lvl == 2) & (rank <= 5))
    nat_top3_5y = ((award_lvl == 2) & (rank <= 3)) | ((award_lvl < 2) & (lrng.random(n) < 0.002))
    prov_top3 = (award_lvl == 1) & (rank <= 3)
    top3 = (award_lvl >= 1) & (rank <= 3)
    # titles: national innovation-demonstration / IP-advantage enterprises, held from the year granted
    stock = np.log1p(inventions[:, -1])
    title_p = 0.002 + 0.3 * _sigmoid(2.0 * (stock - 2.8)) * (inventions[:, -1] >= 5)
    title_year = lrng.integers(first - 6, last + 1, n)
    title = (lrng.random(n) < title_p)[:, None] & (yr >= title_year[:, None])
    # 创客中国: young R&D-intensive firms; the flag holds for three years from the contest year
    maker_p = 0.001 + 0.02 * ((age_last < 10) & (intensity > 0.04))
    maker_year = lrng.integers(first - 2, last + 1, n)
    maker500 = (lrng.random(n) < maker_p)[:, None] & (yr >= maker_year[:, None]) & (yr <= maker_year[:, None] + 2)
    maker50 = maker500 & (lrng.random(n) < 0.12)[:, None]
    b.nat_top5, b.nat_top3_5y, b.prov_top3, b.top3 = nat_top5, nat_top3_5y, prov_top3, top3
    b.title, b.maker500, b.maker50 = title, maker500, maker50


def _platforms(b: _Block, lrng: np.random.Generator) -> None:
    """R&D platforms recognised in some year, and technology-transfer institutions."""
    n, yr, first, last = b.n, b.yr, b.first, b.last
    founded_year, rd_level, transfers = b.founded_year, b.rd_level, b.transfers
    # platforms: a firm with a provincial (national) R&D institution was recognised in some year, before
    # which its institution was one level lower; the recognition year carries the "new platform" flag
    recog_year = np.maximum(founded_year + 1, lrng.integers(first - 5, last + 1, n))
    recognised = (rd_level[:, 0] >= 2)[:, None] & (yr >= recog_year[:, None])
    rd_level = np.where((rd_level >= 2) & ~recognised, rd_level - 1, rd_level)
    new_national = (rd_level[:, -1:] == 3) & (yr == recog_year[:, None])
    new_provincial = (rd_level[:, -1:] == 2) & (yr == recog_year[:, None])
    # technology-transfer institutions newly recognised in a year (firms that transfer results)
    transferrer = transfers.sum(axis=1) > 0
    tt_year = lrng.integers(first - 3, last + 1, n)
    tt_level = np.where(lrng.random(n) < 0.2, 2, 1)
    tech_transfer = np.where(transferrer[:, None] & (lrng.random(n) < 0.05)[:, None] & (yr == tt_year[:, None]),
                             tt_level[:, None], 0)
    b.rd_level, b.tech_transfer = rd_level, tech_transfer
    b.new_national, b.new_provincial = new_national, new_provincial


def _register(b: _Block, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The register rows and the names (with the short forms)."""
    n, index, industry, cluster, zone = b.n, b.index, b.industry, b.cluster, b.zone
    founded, founded_year = b.founded, b.founded_year
    size, unicorn, status = b.size, b.unicorn, b.status
    listed = (size > 2.6) & (rng.random(n) < 0.5) & ~unicorn
    form = np.where(listed, 1, rng.choice(3, n, p=[0.78, 0.12, 0.10]))
    nm = names.build_names(index, industry, rng.integers(0, 6, n), form)
    has_ko = rng.random(n) < 0.30
    has_en = has_ko | (rng.random(n) < 0.45)
    credit = codes.make_codes(index, founded_year >= 2016, rng.integers(0, 64, n))
    registry = pl.DataFrame({
        "credit_code": credit,
        "name_zh": nm["name_zh"],
        "name_ko": nm["name_ko"].to_numpy().astype(object) if n else [],
        "name_en": nm["name_en"].to_numpy().astype(object) if n else [],
        "founded": np.datetime_as_string(founded, unit="D"),
        "industry": industry.astype(str),
        "cluster": cluster.astype(str),
        "zone": zone.astype(str),
        "listed": listed.astype(np.int64),
        "status": STATUS[status],
    }).with_columns(
        pl.when(pl.Series(has_ko)).then(pl.col("name_ko")).otherwise(None).alias("name_ko"),
        pl.when(pl.Series(has_en)).then(pl.col("name_en")).otherwise(None).alias("name_en"),
    )
    return registry, nm


def _values(b: _Block) -> dict[str, np.ndarray]:
    """Every per-year value (float, shape (n, years)), missing outside the years a firm files."""
    n, Y = b.n, b.Y
    values = {
        "revenue": b.revenue, "main_business_revenue": b.main_business, "high_tech_revenue": b.high_tech,
        "rd_expense": b.rd, "rd_expense_domestic": b.rd_domestic, "total_cost": b.total_cost,
        "net_profit": b.net_profit, "total_assets": b.total_assets, "total_liabilities": b.total_liabilities,
        "tax_paid": b.tax_paid,
        "invention_patents": b.inventions, "high_value_patents": b.high_value, "class1_other_ip": b.class1,
        "utility_patents": b.utility, "design_patents": b.design, "software_copyrights": b.software,
        "invention_applications": b.apps, "pct_applications": b.pct, "ip_transformations": b.transfers,
        "standards_led": b.standards,
        "employees": b.employees, "tech_staff": b.tech_staff, "rd_staff": b.rd_staff,
        "graduate_staff": b.graduate, "leading_talents": b.leading, "rd_institution_level": b.rd_level,
        "equity_financing": b.financing, "valuation_usd": b.valuation, "niche_years": b.niche,
        "strategic_emerging": b.strategic, "national_market_share": b.share, "digital_level": b.digital,
        "quality_certs": b.certs, "overseas_certification": b.overseas, "own_brand": b.brand,
        "chain_role": b.chain, "st_award_level": b.award, "hnte_certified": b.hnte_y,
        "safety_incident": b.incident, "research_misconduct": b.misconduct, "dishonest_debtor": b.debtor,
        "restricted_products": b.restricted, "private_funded": b.private,
        "hnte_recognised_year": b.hnte_recognised, "hnte_first_year": b.hnte_first,
        "abnormal_operation": b.abnormal, "ip_class1_self": b.class1_self,
        "innovation_title": b.title, "tech_transfer_level": b.tech_transfer,
        "st_activity_expense": b.st_activity,
        "new_national_platform": b.new_national, "new_provincial_platform": b.new_provincial,
        "hnte_field": b.hnte_field, "national_award_top3_5y": b.nat_top3_5y[:, None] + np.zeros((n, Y)),
        "provincial_award_top3_3y": b.prov_top3[:, None] + np.zeros((n, Y)),
        "national_award_top5_3y": b.nat_top5[:, None] + np.zeros((n, Y)),
        "award_top3_3y": b.top3[:, None] + np.zeros((n, Y)),
        "maker_china_top500_3y": b.maker500, "maker_china_top50_3y": b.maker50,
    }
    return {k: np.where(b.files, np.asarray(v, dtype=np.float64), np.nan) for k, v in values.items()}


def simulate(seed: int, chunk: int, start: int, n: int, years: list[int]) -> Chunk:
    """Simulate ``n`` firms from global index ``start``; ``chunk`` is the random block's index."""
    b = _Block(seed, chunk, start, n, years)
    rng = stream(seed, chunk, S_FIRMS)
    _who(b, rng)
    _growth_class(b, rng)
    _size_and_growth_paths(b, rng)
    _research(b, rng)
    _accounts(b, rng)
    _staff(b, rng)
    irng = stream(seed, chunk, S_IP)
    _patents(b, irng)
    _other_ip(b, irng)
    _statistics(b, irng)
    # self-declaration
    srng = stream(seed, chunk, S_SELF)
    _financing(b, srng)
    _declared_facts(b, srng)
    # lists, recognitions and certificate details (their own stream: the values above do not move)
    lrng = stream(seed, chunk, S_LISTS)
    _certificates(b, lrng)
    _abnormal_and_spending(b, lrng)
    _awards_and_titles(b, lrng)
    _platforms(b, lrng)
    registry, nm = _register(b, rng)
    return Chunk(start=start, years=years, registry=registry, files=b.files, cluster=b.cluster.astype(str),
                 growth=b.growth, self_filer=b.self_filer, stats_sample=b.stats_sample,
                 short_names=nm.select("short_zh", "short_ko", "short_en"), values=_values(b),
                 blocks=[(chunk, n)])
