"""Writes a whole demo delivery (docs/data/department-files.md) chunk by chunk in bounded memory.

Enterprises are simulated in fixed random blocks of :data:`BLOCK` firms (every numpy stream is keyed by
(seed, block index, purpose)); a processing chunk joins a few blocks so that formatting and writing work
on larger frames. Because all randomness is per block, the chunk size changes memory and speed only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from innoregion import __version__
from innoregion.data.catalogue import IndicatorDef, load_catalogue, load_region
from innoregion.generator import bad, model
from innoregion.generator.model import Chunk, stream
from innoregion.generator.sinks import CsvSink, XlsxSink

GENERATOR_VERSION = "1.0.0"
BLOCK = 5_000  # firms per random block: every random stream is keyed by (seed, block index)
DEFAULT_CHUNK = 50_000  # firms per processing step (memory); rounded up to whole blocks
XLSX_MAX_ENTERPRISES = 100_000  # above this, hr files are CSV (UTF-8) instead of XLSX
MISSING_RATE = 0.05
# blanks cluster in careless filers: a quarter of the firms leave 17 % of a department's cells blank, the
# rest 1 % (5 % on average), so most firms have complete rows and a few have many gaps
CARELESS_SHARE, CAREFUL_RATE = 0.25, 0.01
CARELESS_RATE = (MISSING_RATE - (1 - CARELESS_SHARE) * CAREFUL_RATE) / CARELESS_SHARE
CONFLICT_RATE = 0.015
STATS_SIZE_THRESHOLD = 20_000_000  # yuan: "above designated size" firms are always surveyed
OVERLAP = {"revenue": "tax", "rd_expense": "tax", "employees": "hr"}
# (department, indicator) -> flag: the department files the indicator only where the flag is 1 (the tax
# return's HNTE schedule, which names the technology field, is filed by certified enterprises only)
FILED_ONLY_IF = {("tax", "hnte_field"): "hnte_certified"}
HR_SHEET = "参保职工"


@dataclass(frozen=True)
class Department:
    code: str
    header: str                 # "zh" or "code"
    encoding: str = "utf-8"
    bom: bool = False
    aliases: tuple[tuple[str, str], ...] = ()  # indicator code -> header used instead of names.zh


DEPARTMENTS = (
    Department("tax", "zh", "gb18030", aliases=(("rd_expense", "研究开发费用"),)),
    Department("ip", "code", "utf-8", bom=True),
    Department("hr", "zh", "utf-8", aliases=(("employees", "参保人数"),)),
    Department("stats", "code", "utf-8"),
    Department("self", "zh", "utf-8"),
)
DEPT_ID = {d.code: i for i, d in enumerate(DEPARTMENTS)}

REGISTRY_COLUMNS = ["credit_code", "name_zh", "name_ko", "name_en", "founded", "industry", "cluster", "zone",
                    "listed", "status"]
PLATFORM_COLUMNS = ["code", "kind", "level", "zone", "cluster", "name_zh", "name_ko", "name_en", "host_name",
                    "host_credit_code", "founded_year"]
TALENT_COLUMNS = ["talent_id", "affiliation_credit_code", "field", "title", "awards", "two_way_post",
                  "part_time_post", "startup_founder"]

# generated platforms: kind -> (weight, zh suffix, ko suffix, en suffix)
GENERATED_PLATFORMS = {
    "incubator": (0.30, "孵化器", "인큐베이터", "Incubator"),
    "provincial_key_lab": (0.20, "重点实验室", "중점실험실", "Key Laboratory"),
    "new_rd_institution": (0.12, "研究院", "연구원", "Research Institute"),
    "service_platform": (0.12, "公共服务平台", "공공서비스 플랫폼", "Public Service Platform"),
    "proof_of_concept": (0.06, "概念验证中心", "개념검증센터", "Proof-of-Concept Centre"),
    "talent_platform": (0.07, "人才工作站", "인재 워크스테이션", "Talent Workstation"),
    "finance_platform": (0.05, "产业投资服务平台", "산업투자 서비스 플랫폼", "Industrial Investment Platform"),
    "joint_college": (0.05, "产业学院", "산업학원", "Industry College"),
    "national_key_lab": (0.03, "全国重点实验室", "국가중점실험실", "National Key Laboratory"),
}
TITLES = (["engineer", "senior_engineer", "researcher", "professor", "doctor"], [0.35, 0.25, 0.15, 0.10, 0.15])
AWARDS = {"national_talent_programme": 0.03, "provincial_talent_programme": 0.12, "academician": 0.003,
          "st_award_national": 0.01, "st_award_provincial": 0.05}


@dataclass
class FileSpec:
    dept: Department
    year: int
    columns: list[IndicatorDef]
    header: list[str]
    kinds: list[str]
    money: list[str]
    counts: list[str]
    ratios: list[str]
    fmt: str

    @property
    def name(self) -> str:
        return f"{self.dept.code}_{self.year}.{self.fmt}"


def _file_specs(years: list[int], hr_format: str) -> list[FileSpec]:
    cat = load_catalogue()
    specs = []
    for dept in DEPARTMENTS:
        cols = cat.for_source(dept.code)
        aliases = dict(dept.aliases)
        if dept.header == "zh":
            header = [cat.key_columns["credit_code"]["zh"], cat.key_columns["year"]["zh"]]
            header += [aliases.get(c.code, c.names["zh"]) for c in cols]
        else:
            header = ["credit_code", "year", *[c.code for c in cols]]
        money = [c.code for c in cols if c.type == "money"]
        counts = [c.code for c in cols if c.type == "count"]
        ratios = [c.code for c in cols if c.type == "ratio"]
        for year in years:
            specs.append(FileSpec(dept, year, cols, header, bad.kinds_for(money, counts, ratios), money, counts,
                                  ratios, hr_format if dept.code == "hr" else "csv"))
    return specs


def _money_text(values: np.ndarray) -> pl.Series:
    """Yuan with two decimals as text, blank for NaN."""
    cents = pl.Series(np.round(values * 100)).fill_nan(None).cast(pl.Int64)
    frame = pl.DataFrame({"c": cents})
    return frame.select(
        pl.concat_str([
            pl.when(pl.col("c") < 0).then(pl.lit("-")).otherwise(pl.lit("")),
            (pl.col("c").abs() // 100).cast(pl.Utf8), pl.lit("."),
            (pl.col("c").abs() % 100).cast(pl.Utf8).str.zfill(2),
        ])
    ).to_series()


def _ratio_text(values: np.ndarray) -> pl.Series:
    units = pl.Series(np.round(values * 10_000)).fill_nan(None).cast(pl.Int64)
    frame = pl.DataFrame({"u": units})
    return frame.select(
        pl.concat_str([(pl.col("u") // 10_000).cast(pl.Utf8), pl.lit("."),
                       (pl.col("u") % 10_000).cast(pl.Utf8).str.zfill(4)])
    ).to_series()


def _integers(values: np.ndarray) -> pl.Series:
    return pl.Series(np.round(values)).fill_nan(None).cast(pl.Int64)


class Generator:
    def __init__(self, out_dir: Path, enterprises: int, years: int, seed: int, first_year: int,
                 chunk_size: int = DEFAULT_CHUNK, progress: bool = True,
                 echo: Callable[[str], None] = print, matching: bool = True):
        if enterprises < 1 or years < 1 or chunk_size < 1:
            raise ValueError("enterprises, years and chunk size must be positive")
        self.out = Path(out_dir)
        self.n = enterprises
        self.years = list(range(first_year, first_year + years))
        self.seed = seed
        self.first_year = first_year
        self.blocks_per_chunk = max(1, -(-chunk_size // BLOCK))
        self.chunk_size = self.blocks_per_chunk * BLOCK
        self.progress = progress
        self.echo = echo
        self.matching = matching
        self.hr_format = "xlsx" if enterprises <= XLSX_MAX_ENTERPRISES else "csv"
        self.when = dt.datetime(self.years[-1] + 1, 1, 15, 9, 0, 0)
        self.specs = _file_specs(self.years, self.hr_format)
        self.bad_rows: dict[str, dict[str, int]] = {s.name: {k: 0 for k in s.kinds} for s in self.specs}
        self.conflicts: dict[str, dict[str, int]] = {s.name: {k: 0 for k in OVERLAP}
                                                     for s in self.specs if s.dept.code == "stats"}
        self.counts = {"enterprises": enterprises, "platforms": 0, "talents": 0, "gazelles": 0,
                       "shrinking": 0, "unicorn_candidates": 0}
        self._platform_seq = 0
        self._talent_seq = 0

    # ---- one department file's rows for one chunk and year
    def _file_frame(self, chunk: Chunk, spec: FileSpec, yi: int) -> tuple[pl.DataFrame, np.ndarray]:
        """The file's rows for the chunk (file order) and how many of them come from each random block."""
        n = chunk.n
        v = chunk.values
        mask = chunk.files[:, yi].copy()
        code = spec.dept.code
        if code == "stats":
            mask &= (np.nan_to_num(v["revenue"][:, yi]) >= STATS_SIZE_THRESHOLD) | \
                    (np.nan_to_num(v["rd_institution_level"][:, yi]) > 0) | chunk.stats_sample
        elif code == "self":
            mask &= chunk.self_filer
        rows = np.flatnonzero(mask)
        missing = self._missing(chunk, code, yi, len(spec.columns))
        data: dict[str, pl.Series] = {
            "credit_code": chunk.registry["credit_code"].gather(rows),
            "year": pl.Series(np.full(rows.size, spec.year, dtype=np.int64)),
        }
        draws = self._conflict_draws(chunk, yi) if code == "stats" else None
        for j, ind in enumerate(spec.columns):
            values = v[ind.code][:, yi].copy()
            if (only_if := FILED_ONLY_IF.get((code, ind.code))) is not None:
                values = np.where(v[only_if][:, yi] == 1, values, np.nan)
            if draws is not None and ind.code in OVERLAP:
                hit, factor, fill = draws[ind.code]
                values = self._conflicting(values, hit, factor, fill, ind)
                auth = self.specs_by_key[(OVERLAP[ind.code], spec.year)]
                auth_missing = self._missing(chunk, auth.dept.code, yi, len(auth.columns))
                a_col = [c.code for c in auth.columns].index(ind.code)
                real = hit & mask & ~missing[:, j] & ~auth_missing[:, a_col] & chunk.files[:, yi]
                self.conflicts[spec.name][ind.code] += int(real.sum())
            values[missing[:, j]] = np.nan
            values = values[rows]
            if ind.type == "money" and code != "self":
                data[ind.code] = _money_text(values)
            elif ind.type == "ratio":
                data[ind.code] = _ratio_text(values)
            else:
                data[ind.code] = _integers(values)
        sizes = [size for _, size in chunk.blocks]
        per_block = np.add.reduceat(mask.astype(np.int64), np.cumsum([0, *sizes[:-1]])) if n else np.zeros(0)
        return pl.DataFrame(data), per_block

    def _missing(self, chunk: Chunk, dept: str, yi: int, ncols: int) -> np.ndarray:
        """Cells not filed: drawn per random block, so chunking does not change them. Each firm has a blank
        rate per department (the same every year): careful filers few, careless ones many."""
        parts = []
        for b, size in chunk.blocks:
            careless = stream(self.seed, b, model.S_MISSING, DEPT_ID[dept]).random(size) < CARELESS_SHARE
            rate = np.where(careless, CARELESS_RATE, CAREFUL_RATE)
            parts.append(stream(self.seed, b, model.S_MISSING, DEPT_ID[dept], yi).random((size, ncols))
                         < rate[:, None])
        return np.vstack(parts)

    def _conflict_draws(self, chunk: Chunk, yi: int) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per overlapping indicator: which firms conflict, by what factor, and a fill for zero values."""
        parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {k: [] for k in OVERLAP}
        for b, size in chunk.blocks:
            rng = stream(self.seed, b, model.S_CONFLICT, yi)
            for code in OVERLAP:
                hit = rng.random(size) < CONFLICT_RATE
                factor = np.where(rng.random(size) < 0.5, rng.uniform(1.1, 1.6, size), rng.uniform(0.4, 0.9, size))
                fill = np.round(rng.uniform(1e4, 1e6, size), 2)
                parts[code].append((hit, factor, fill))
        return {code: tuple(np.concatenate([p[i] for p in ps]) for i in range(3)) for code, ps in parts.items()}

    @staticmethod
    def _conflicting(values: np.ndarray, hit: np.ndarray, factor: np.ndarray, fill: np.ndarray,
                     ind: IndicatorDef) -> np.ndarray:
        """The statistics bureau's value: equal to the authoritative one except on ``hit`` rows, where it is
        off by clearly more than the catalogue tolerance (a survey answered from other books)."""
        changed = values * factor
        if ind.integral:
            changed = np.round(changed)
            step = np.where(factor > 1, 1.0, -1.0)
            changed = np.where(changed == values, values + step, changed)
            changed = np.maximum(changed, 0)
            changed = np.where(changed == values, values + 1, changed)
        else:  # the survey reports some R&D where the tax return has none
            changed = np.where(values == 0, fill, changed)
        return np.where(hit & ~np.isnan(values), changed, values)

    # ---- platforms and talents drawn from a chunk
    def _platforms(self, chunk: Chunk, c_index: int) -> pl.DataFrame:
        rng = stream(self.seed, c_index, model.S_PLATFORMS)
        last = chunk.files[:, -1]
        eligible = np.flatnonzero(last)
        k = int(rng.poisson(chunk.n * 0.004))
        if c_index == 0:
            k = max(k, min(5, eligible.size))
        k = min(k, eligible.size)
        if k == 0:
            return pl.DataFrame(schema={c: pl.Utf8 for c in PLATFORM_COLUMNS})
        weight = np.nan_to_num(chunk.values["rd_expense"][eligible, -1]) + 2e5
        hosts = np.sort(rng.choice(eligible, size=k, replace=False, p=weight / weight.sum()))
        kinds = list(GENERATED_PLATFORMS)
        kw = np.array([GENERATED_PLATFORMS[x][0] for x in kinds])
        kind_pick = rng.choice(len(kinds), size=k, p=kw / kw.sum())
        reg = chunk.registry
        short = chunk.short_names
        founded = np.array([int(reg["founded"][int(h)][:4]) for h in hosts])
        rows = []
        for i, (host, kp) in enumerate(zip(hosts, kind_pick, strict=True)):
            kind = kinds[kp]
            _, zh, ko, en = GENERATED_PLATFORMS[kind]
            if kind == "national_key_lab":
                level = "national"
            elif kind == "provincial_key_lab":
                level = "provincial"
            else:
                level = ["municipal", "provincial", "national"][int(rng.choice(3, p=[0.6, 0.35, 0.05]))]
            self._platform_seq += 1
            h = int(host)
            start = max(int(founded[i]), self.years[0] - 10)
            rows.append({
                "code": f"gen-{self._platform_seq:05d}", "kind": kind, "level": level,
                "zone": reg["zone"][h], "cluster": reg["cluster"][h],
                "name_zh": short["short_zh"][h] + zh, "name_ko": short["short_ko"][h] + " " + ko,
                "name_en": short["short_en"][h] + " " + en, "host_name": reg["name_zh"][h],
                "host_credit_code": reg["credit_code"][h],
                "founded_year": str(int(rng.integers(start, self.years[-1] + 1))),
            })
        return pl.DataFrame(rows, schema={c: pl.Utf8 for c in PLATFORM_COLUMNS})

    def _talents(self, chunk: Chunk, c_index: int) -> pl.DataFrame:
        rng = stream(self.seed, c_index, model.S_TALENTS)
        k = chunk.n // 10 + int(rng.random() < (chunk.n % 10) / 10)
        eligible = np.flatnonzero(chunk.files.any(axis=1))
        if k == 0 or eligible.size == 0:
            return pl.DataFrame(schema={c: pl.Utf8 for c in TALENT_COLUMNS})
        weight = np.nan_to_num(np.nanmax(np.where(chunk.files, chunk.values["tech_staff"], 0), axis=1))[eligible] + 1
        who = rng.choice(eligible, size=k, p=weight / weight.sum())
        titles = np.array(TITLES[0])[rng.choice(len(TITLES[0]), size=k, p=TITLES[1])]
        award_hits = {a: rng.random(k) < p for a, p in AWARDS.items()}
        awards = [";".join(a for a in AWARDS if award_hits[a][i]) or None for i in range(k)]
        ids = [f"T{self._talent_seq + i + 1:07d}" for i in range(k)]
        self._talent_seq += k
        return pl.DataFrame({
            "talent_id": ids,
            "affiliation_credit_code": chunk.registry["credit_code"].gather(who),
            "field": pl.Series(chunk.cluster[who]),
            "title": titles.astype(str),
            "awards": pl.Series(awards, dtype=pl.Utf8),
            "two_way_post": (rng.random(k) < 0.08).astype(np.int64).astype(str),
            "part_time_post": (rng.random(k) < 0.12).astype(np.int64).astype(str),
            "startup_founder": (rng.random(k) < 0.10).astype(np.int64).astype(str),
        })

    def _seed_platforms(self) -> pl.DataFrame:
        region = load_region()
        rows = []
        for p in region["platforms"]:
            rows.append({"code": p["code"], "kind": p["kind"], "level": p["level"], "zone": p["zone"],
                         "cluster": "", "name_zh": p["names"]["zh"], "name_ko": p["names"]["ko"],
                         "name_en": p["names"]["en"], "host_name": p.get("host", ""), "host_credit_code": "",
                         "founded_year": ""})
        return pl.DataFrame(rows, schema={c: pl.Utf8 for c in PLATFORM_COLUMNS}).with_columns(
            pl.col("cluster", "host_credit_code", "founded_year").replace("", None))

    # ---- the whole delivery
    def _department_sinks(self) -> dict[str, CsvSink | XlsxSink]:
        sinks: dict[str, CsvSink | XlsxSink] = {}
        for spec in self.specs:
            path = self.out / spec.name
            if spec.fmt == "xlsx":
                sinks[spec.name] = XlsxSink(path, spec.header, HR_SHEET, self.when)
            else:
                sinks[spec.name] = CsvSink(path, spec.header, spec.dept.encoding, spec.dept.bom)
        return sinks

    def _simulate_chunk(self, blocks: range, platforms: CsvSink, talents: CsvSink) -> Chunk:
        """Simulate the blocks of one chunk, writing each block's platforms and talents as it goes."""
        parts = []
        for b in blocks:
            start = b * BLOCK
            part = model.simulate(self.seed, b, start, min(BLOCK, self.n - start), self.years)
            p = self._platforms(part, b)
            platforms.append(p)
            self.counts["platforms"] += p.height
            t = self._talents(part, b)
            talents.append(t)
            self.counts["talents"] += t.height
            parts.append(part)
        return model.concat(parts)

    def _department_file(self, chunk: Chunk, spec: FileSpec, sink: CsvSink | XlsxSink) -> None:
        """One department file's rows of a chunk, with bad rows planted block by block."""
        yi = self.years.index(spec.year)
        frame, per_block = self._file_frame(chunk, spec, yi)
        offset = 0
        pieces = []
        for (b, _), rows in zip(chunk.blocks, per_block, strict=True):
            rng = stream(self.seed, b, model.S_BAD, DEPT_ID[spec.dept.code], yi)
            piece, planted = bad.plant(frame.slice(offset, int(rows)), year=spec.year, kinds=spec.kinds,
                                       rng=rng, force=b == 0, money=spec.money, counts=spec.counts,
                                       ratios=spec.ratios)
            offset += int(rows)
            pieces.append(piece)
            for kind, count in planted.items():
                self.bad_rows[spec.name][kind] += count
        sink.append(pl.concat(pieces, how="vertical_relaxed") if len(pieces) > 1 else pieces[0])

    def run(self) -> dict:
        self.out.mkdir(parents=True, exist_ok=True)
        self.specs_by_key = {(s.dept.code, s.year): s for s in self.specs}
        registry = CsvSink(self.out / "registry.csv", REGISTRY_COLUMNS)
        platforms = CsvSink(self.out / "platforms.csv", PLATFORM_COLUMNS)
        talents = CsvSink(self.out / "talents.csv", TALENT_COLUMNS)
        seed_platforms = self._seed_platforms()
        platforms.append(seed_platforms)
        self.counts["platforms"] += seed_platforms.height
        sinks = self._department_sinks()
        n_blocks = -(-self.n // BLOCK)
        per_chunk = self.blocks_per_chunk
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(total=self.n, unit="firm", desc="generate", unit_scale=True)
        for first_block in range(0, n_blocks, per_chunk):
            chunk = self._simulate_chunk(range(first_block, min(first_block + per_chunk, n_blocks)),
                                         platforms, talents)
            size = chunk.n
            registry.append(chunk.registry)
            self.counts["gazelles"] += int((chunk.growth == model.GROWTH_GAZELLE).sum())
            self.counts["shrinking"] += int((chunk.growth == model.GROWTH_SHRINK).sum())
            self.counts["unicorn_candidates"] += int((chunk.growth == model.GROWTH_UNICORN).sum())
            for spec in self.specs:
                self._department_file(chunk, spec, sinks[spec.name])
            del chunk
            if bar is not None:
                bar.update(size)
        if bar is not None:
            bar.set_description("write")
        for sink in (registry, platforms, talents, *sinks.values()):
            sink.close()
        if bar is not None:
            bar.close()
        if self.matching:
            self._matching_lists()
        return self._manifest(sinks)

    def _matching_lists(self) -> None:
        """scenarios.csv and capabilities.csv from the matching engine's demo data."""
        from innoregion.engines.matching.demo_data import generate_scenarios_and_capabilities as fn

        call_matching(fn, self.out, self.seed, self.n, self.echo)

    def _manifest(self, sinks: dict[str, CsvSink | XlsxSink]) -> dict:
        meta = {s.name: s for s in self.specs}
        files = []
        for path in sorted(self.out.iterdir()):
            if path.name == "manifest.json" or not path.is_file():
                continue
            entry: dict = {"name": path.name, "bytes": path.stat().st_size, "sha256": _sha256(path)}
            if path.name in meta:
                spec = meta[path.name]
                entry.update(department=spec.dept.code, year=spec.year, format=spec.fmt,
                             encoding=None if spec.fmt == "xlsx" else spec.dept.encoding + ("-sig" if spec.dept.bom else ""),
                             header=spec.dept.header, rows=sinks[path.name].rows)
            else:  # the register, platforms, talents, scenarios, capabilities: UTF-8 CSV, codes as headers
                entry.update(department="registry" if path.name == "registry.csv" else None, year=None,
                             format="csv", encoding="utf-8", header="code", rows=_count_rows(path))
            files.append(entry)
        manifest = {
            "generator": "innoregion-demo-generator", "generator_version": GENERATOR_VERSION,
            "package_version": __version__, "catalogue_version": load_catalogue().version,
            "seed": self.seed, "enterprises": self.n, "years": self.years, "first_year": self.first_year,
            "block_size": BLOCK, "hr_format": self.hr_format,
            "missing_rate": MISSING_RATE, "conflict_rate": CONFLICT_RATE, "bad_row_rate": bad.RATE,
            "files": files, "bad_rows": self.bad_rows, "conflicts": self.conflicts, "counts": self.counts,
        }
        text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        (self.out / "manifest.json").write_text(text, encoding="utf-8")
        return manifest


def _active_codes(out: Path) -> list[str]:
    reg = pl.read_csv(out / "registry.csv", columns=["credit_code", "status"], infer_schema_length=0)
    return reg.filter(pl.col("status") == "active")["credit_code"].to_list()


def call_matching(fn: Callable, out: Path, seed: int, enterprises: int, echo: Callable[[str], None]) -> None:
    """Call the matching engine's demo-data function with whatever its signature asks for (known names:
    n_scenarios, n_capabilities, seed, enterprise_codes, registry, rng, out_dir, region) and write the
    (scenarios, capabilities) tables it returns as CSV (list cells joined with ``;``)."""
    sig = inspect.signature(fn)
    lazy: dict[tuple[str, ...], Callable[[], object]] = {
        ("n_scenarios",): lambda: min(200, max(20, enterprises // 15)),
        ("n_capabilities",): lambda: min(2000, max(100, 2 * enterprises // 3)),
        ("seed",): lambda: seed,
        ("enterprise_codes", "credit_codes", "codes"): lambda: _active_codes(out),
        ("enterprises", "registry", "firms", "companies"):
            lambda: pl.read_csv(out / "registry.csv", infer_schema_length=0),
        ("rng", "random", "generator"): lambda: np.random.default_rng(np.random.SeedSequence([seed, 0, 99])),
        ("out_dir", "output_dir", "outdir", "directory"): lambda: out,
        ("region",): load_region,
    }
    kwargs = {}
    for pname, param in sig.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        make = next((m for keys, m in lazy.items() if pname in keys), None)
        if make is not None:
            kwargs[pname] = make()
        elif param.default is param.empty:
            echo(f"note: generate_scenarios_and_capabilities needs {pname!r}, which the generator "
                 "cannot supply; scenarios.csv and capabilities.csv not written")
            return
    result = fn(**kwargs)
    if result is None:
        return
    if isinstance(result, dict):
        result = (result.get("scenarios"), result.get("capabilities"))
    scenarios, capabilities = result
    for name, table in (("scenarios.csv", scenarios), ("capabilities.csv", capabilities)):
        if table is None:
            continue
        frame = table if isinstance(table, pl.DataFrame) else pl.DataFrame(table)
        lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
        frame = frame.with_columns(pl.col(c).list.join(";") for c in lists)
        frame.write_csv(out / name, line_terminator="\n")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _count_rows(path: Path) -> int:
    if path.name in ("scenarios.csv", "capabilities.csv"):  # quoted cells may hold line breaks
        return pl.read_csv(path, infer_schema_length=0).height
    with open(path, "rb") as fh:
        lines = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
    return max(0, lines - 1)


def generate(out_dir: str | Path, enterprises: int = 3000, years: int = 5, seed: int = 42, first_year: int = 2021,
             chunk_size: int = DEFAULT_CHUNK, progress: bool = False,
             echo: Callable[[str], None] = print, matching: bool = True) -> dict:
    """Write a demo delivery into ``out_dir`` and return its manifest. ``matching=False`` skips the
    matching engine's scenario and capability lists."""
    return Generator(Path(out_dir), enterprises, years, seed, first_year, chunk_size, progress, echo,
                     matching).run()
