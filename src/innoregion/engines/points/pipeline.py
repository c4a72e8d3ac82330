"""The pipeline: denominate -> screen/impute (spec order) -> treat -> normalise -> aggregate -> score.

Internally every indicator is a float64 NumPy column with NaN for missing; tables handed out are
Polars DataFrames with nulls for missing values.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from innoregion.engines.points.aggregate import aggregate_columns
from innoregion.engines.points.normalise import NormaliserFit, fit_normaliser
from innoregion.engines.points.result import ALL_COHORTS, Hierarchy, PipelineResult
from innoregion.engines.points.spec import Spec, SpecError, load_spec
from innoregion.engines.points.treat import excel_kurtosis, excel_skew, treat_indicator

NO_STAGE = "(no stage)"
META_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")


class DataError(ValueError):
    """The data or metadata do not fit the spec (missing column, bad iMeta row, duplicate uCode...)."""


# ---------------------------------------------------------------------------- metadata
def _meta_rows(meta: pl.DataFrame) -> list[dict[str, Any]]:
    """The Indicator and Aggregate rows of an iMeta table (Type inferred from Level when absent)."""
    for col in ("iCode", "Level", "Parent"):
        if col not in meta.columns:
            raise DataError(f"meta: column {col!r} is required (COINr iMeta schema)")
    m = meta
    if "Type" not in m.columns:
        m = m.with_columns(pl.when(pl.col("Level").cast(pl.Int64) == 1).then(pl.lit("Indicator"))
                           .otherwise(pl.lit("Aggregate")).alias("Type"))
    bad = m.filter(~pl.col("Type").is_in(list(META_TYPES)))
    if bad.height:
        raise DataError(f"meta: unknown Type {bad['Type'][0]!r} for {bad['iCode'][0]!r}; "
                        f"expected one of {', '.join(META_TYPES)}")
    m = m.filter(pl.col("Type").is_in(["Indicator", "Aggregate"]))
    if m.height == 0:
        raise DataError("meta: no Indicator rows")
    return m.to_dicts()


def _meta_code(value: Any) -> str | None:
    return None if value is None or str(value) in ("", "NA") else str(value)


def _meta_level(r: dict[str, Any], code: str) -> int:
    try:
        lvl = int(r["Level"])
    except (TypeError, ValueError):
        raise DataError(f"meta: {code!r} has no valid Level") from None
    if (r["Type"] == "Indicator") != (lvl == 1):
        raise DataError(f"meta: {code!r} is Type {r['Type']} at Level {lvl} "
                        "(indicators are level 1, aggregates level 2 and above)")
    return lvl


def _meta_direction(r: dict[str, Any], code: str) -> float:
    d = r.get("Direction")
    d = 1.0 if d is None else float(d)
    if d not in (1.0, -1.0):
        raise DataError(f"meta: {code!r} Direction must be 1 or -1, got {d:g}")
    return d


def _meta_weight(r: dict[str, Any], code: str) -> float:
    w = r.get("Weight")
    w = 1.0 if w is None else float(w)
    if not math.isfinite(w) or w < 0:
        raise DataError(f"meta: {code!r} Weight must be a non-negative number, got {w!r}")
    return w


def _top_level(levels: dict[int, list[str]]) -> int:
    top_level = max(levels)
    if sorted(levels) != list(range(1, top_level + 1)):
        raise DataError(f"meta: levels must be consecutive from 1, got {sorted(levels)}")
    if len(levels[top_level]) != 1:
        raise DataError(f"meta: the top level {top_level} must hold exactly one aggregate, got "
                        f"{levels[top_level]}")
    return top_level


def _children(levels: dict[int, list[str]], parent: dict[str, str | None],
              top_level: int) -> dict[str, list[str]]:
    """Each aggregate's children; every code below the top has an aggregate one level up as its parent."""
    children: dict[str, list[str]] = {c: [] for k in levels if k > 1 for c in levels[k]}
    level_of = {c: k for k, cs in levels.items() for c in cs}
    for code, par in parent.items():
        if level_of[code] == top_level:
            continue
        if par is None:
            raise DataError(f"meta: {code!r} has no Parent")
        if par not in children:
            raise DataError(f"meta: {code!r} has Parent {par!r}, which is not an aggregate")
        if level_of[par] != level_of[code] + 1:
            raise DataError(f"meta: {code!r} (level {level_of[code]}) has Parent {par!r} at level "
                            f"{level_of[par]}; a parent must be one level up")
        children[par].append(code)
    for par, ch in children.items():
        if not ch:
            raise DataError(f"meta: aggregate {par!r} has no children")
    return children


def build_hierarchy(meta: pl.DataFrame) -> Hierarchy:
    """Read the indicator tree from an iMeta table (COINr schema)."""
    levels: dict[int, list[str]] = {}
    parent: dict[str, str | None] = {}
    direction: dict[str, float] = {}
    weight: dict[str, float] = {}
    target: dict[str, float] = {}
    denominator: dict[str, str | None] = {}
    for r in _meta_rows(meta):
        code = str(r["iCode"])
        if code in parent:
            raise DataError(f"meta: duplicate iCode {code!r}")
        levels.setdefault(_meta_level(r, code), []).append(code)
        parent[code] = _meta_code(r.get("Parent"))
        direction[code] = _meta_direction(r, code)
        weight[code] = _meta_weight(r, code)
        t = r.get("Target")
        target[code] = float("nan") if t is None else float(t)
        denominator[code] = _meta_code(r.get("Denominator"))
    top_level = _top_level(levels)
    children = _children(levels, parent, top_level)
    parent[levels[top_level][0]] = None
    return Hierarchy(levels, children, parent, direction, weight, target, denominator)


# ---------------------------------------------------------------------------- helpers
def _groups(series: pl.Series) -> tuple[np.ndarray, list[Any], list[np.ndarray]]:
    """Group codes 0..g-1 for a column, the group labels and the row indices of each group."""
    df = (series.to_frame("g").with_row_index("i").group_by("g", maintain_order=True)
          .agg(pl.col("i"), pl.len().alias("n")))
    labels = df["g"].to_list()
    lens = df["n"].to_numpy().astype(np.int64)
    flat = df["i"].explode().to_numpy().astype(np.int64)
    idx = np.split(flat, np.cumsum(lens)[:-1])
    codes = np.empty(series.len(), dtype=np.int64)
    codes[flat] = np.repeat(np.arange(len(labels), dtype=np.int64), lens)
    return codes, labels, idx


def _frame(ucode: pl.Series, cols: dict[str, np.ndarray], order: list[str]) -> pl.DataFrame:
    return pl.DataFrame([ucode, *[pl.Series(c, cols[c], nan_to_null=True) for c in order]])


def _float_col(df: pl.DataFrame, name: str) -> np.ndarray:
    s = df[name]
    if s.dtype == pl.Boolean:
        s = s.cast(pl.Float64)
    try:
        s = s.cast(pl.Float64)
    except pl.exceptions.InvalidOperationError:
        raise DataError(f"data: column {name!r} is not numeric") from None
    # read-only use downstream: every step writes to new arrays, so no defensive copy is needed
    return np.asarray(s.to_numpy(), dtype=float)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


# ---------------------------------------------------------------------------- steps
def _denominate(cols, data, h: Hierarchy, spec: Spec, warnings: list[str]) -> dict[str, np.ndarray]:
    conf = spec.denominate
    if not conf["enabled"]:
        return cols
    out = dict(cols)
    dens = {c: conf["denominators"].get(c, h.denominator.get(c)) for c in h.indicators}
    for code, den in dens.items():
        if den is None:
            continue
        if den not in data.columns:
            raise DataError(f"data: denominator column {den!r} (for {code!r}) is missing")
        dv = _float_col(data, den)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = cols[code] / dv * conf["scale"]
        bad = ~np.isfinite(v) & ~np.isnan(cols[code])
        if bad.any():
            warnings.append(f"denominate: {code}: {int(bad.sum())} value(s) with a zero or missing "
                            f"denominator {den} set to missing")
            v[bad] = np.nan
        out[code] = v
    return out


def _impute_panel(data: pl.DataFrame, h: Hierarchy, method: str) -> pl.DataFrame:
    """Fill each unit's gaps along Time: 'latest' carries the last observed value forward (earlier
    gaps take the first observed value); 'interpolate' interpolates linearly in Time between observed
    points and holds the end values constant outside them."""
    d = data.sort(["uCode", "Time"])
    inds = h.indicators
    if method == "latest":
        exprs = [pl.col(c).fill_null(strategy="forward").over("uCode")
                 .fill_null(pl.col(c).fill_null(strategy="backward").over("uCode")) for c in inds]
    else:
        t = pl.col("Time").cast(pl.Float64)
        exprs = [pl.col(c).interpolate_by(t).over("uCode").forward_fill().over("uCode")
                 .backward_fill().over("uCode") for c in inds]
    return d.with_columns([e.alias(c) for e, c in zip(exprs, inds, strict=True)])


def _fill_by_group(x: np.ndarray, miss: np.ndarray, method: str, codes: np.ndarray, n_groups: int,
                   idx: list[np.ndarray]) -> None:
    """Fill ``x`` (in place) where ``miss`` with the mean or median of the unit's group."""
    if method == "mean":
        valid = ~miss
        sums = np.bincount(codes, weights=np.where(valid, x, 0.0), minlength=n_groups)
        cnt = np.bincount(codes, weights=valid.astype(float), minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            stat = np.where(cnt > 0, sums / np.where(cnt > 0, cnt, 1.0), np.nan)
        x[miss] = stat[codes[miss]]
        return
    for ix in idx:
        sub = x[ix]
        m = np.isnan(sub)
        if m.any() and not m.all():
            sub[m] = np.median(sub[~m])
            x[ix] = sub


def _impute(cols, data, h: Hierarchy, spec: Spec, warnings: list[str]) -> dict[str, np.ndarray]:
    conf = spec.impute
    method = conf["method"]
    if method in ("none", "latest", "interpolate"):
        return cols  # panel methods ran before the period was selected
    out = dict(cols)
    by = conf["by"]
    if by is not None:
        if by not in data.columns:
            raise DataError(f"data: impute.by column {by!r} is missing")
        codes, labels, idx = _groups(data[by])
    for code in h.indicators:
        x = cols[code]
        miss = np.isnan(x)
        if not miss.any():
            continue
        x = x.copy()
        if by is None:
            if miss.all():
                continue
            x[miss] = np.mean(x[~miss]) if method == "mean" else np.median(x[~miss])
        else:
            _fill_by_group(x, miss, method, codes, len(labels), idx)
        left = int(np.isnan(x).sum())
        if left:
            warnings.append(f"impute: {code}: {left} value(s) could not be imputed ("
                            f"{'no data in the group' if by else 'no data at all'}); left missing")
        out[code] = x
    return out


def _screen(cols, data, ucode, h: Hierarchy, spec: Spec, warnings: list[str], dropped: list[str]):
    conf = spec.screen
    inds = h.indicators
    n = ucode.len()
    if n == 0:
        return cols, data, ucode, [], np.ones(n, dtype=bool)
    ind_thr = conf["indicator_min_availability"]
    out = dict(cols)
    if ind_thr > 0:
        for code in inds:
            frac = 1.0 - np.isnan(cols[code]).sum() / n
            if frac < ind_thr:
                out[code] = np.full(n, np.nan)
                dropped.append(code)
                warnings.append(f"screen: indicator {code} dropped: data availability {_fmt(frac)} < {_fmt(ind_thr)}")
    thr = conf["min_availability"]
    if thr <= 0:
        return out, data, ucode, [], np.ones(n, dtype=bool)
    avail = np.zeros(n)
    for code in inds:
        avail += ~np.isnan(cols[code])
    frac = avail / len(inds)
    keep = frac >= thr
    if keep.all():
        return out, data, ucode, [], np.ones(n, dtype=bool)
    excluded = ucode.filter(pl.Series(~keep)).cast(pl.String).to_list()
    warnings.append(f"screen: {len(excluded)} unit(s) excluded with data availability < {_fmt(thr)}: "
                    + ", ".join(excluded[:20]) + (" ..." if len(excluded) > 20 else ""))
    mask = pl.Series(keep)
    return ({c: v[keep] for c, v in out.items()}, data.filter(mask), ucode.filter(mask), excluded, keep)


def _treat(cols, h: Hierarchy, spec: Spec, warnings: list[str]):
    conf = spec.treat
    out = dict(cols)
    rows, fits = [], {}
    for code in h.indicators:
        if conf["method"] == "none" or code in conf["exclude"]:
            x, det = cols[code], {"treated": False, "method": "none"}
            det.update(treat_indicator(np.array([]), {"method": "jrc"})[1])
            det["method"] = "none"
            if conf["method"] != "none":
                det["skew0"], det["kurt0"] = _sk(cols[code])
        else:
            x, det = treat_indicator(cols[code], conf)
            if det["logged"]:
                warnings.append(f"treat: {code}: winsorising {conf['max_winsorised']} point(s) did not pass "
                                "the skew/kurtosis check; log-transformed instead")
        out[code] = x
        rows.append({"iCode": code, **det})
        if det["treated"]:
            fits[code] = {k: det[k] for k in ("method", "logged", "lower_bound", "upper_bound", "log_min",
                                              "log_shift")}
    details = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        [pl.col(c).fill_nan(None) for c in ("skew0", "kurt0", "skew1", "kurt1", "log_min", "log_shift")])
    details = details.with_columns(
        [pl.when(pl.col(c).is_infinite()).then(None).otherwise(pl.col(c)).alias(c)
         for c in ("lower_bound", "upper_bound")])
    return out, details, fits


def _sk(x: np.ndarray) -> tuple[float, float]:
    return excel_skew(x), excel_kurtosis(x)


def assign_stages(data: pl.DataFrame, spec: Spec, warnings: list[str]) -> np.ndarray:
    """Life-cycle stage per unit: the first band (in spec order) whose every column band contains the
    unit's value (lower-inclusive, upper-exclusive); else ``stages.default``; else no stage (warned).
    Returns an object array of stage names (``None`` = no stage)."""
    n = data.height
    out = np.full(n, None, dtype=object)
    if not spec.stages:
        return out
    assigned = np.zeros(n, dtype=bool)
    for band in spec.stages:
        m = ~assigned
        for col, (lo, hi) in band.when.items():
            if col not in data.columns:
                raise DataError(f"data: column {col!r} used by stage {band.name!r} is missing")
            v = _float_col(data, col)
            with np.errstate(invalid="ignore"):
                m &= (v >= lo) & (v < hi)
        out[m] = band.name
        assigned |= m
    if not assigned.all():
        k = int((~assigned).sum())
        if spec.stage_default is not None:
            out[~assigned] = spec.stage_default
            warnings.append(f"stages: {k} unit(s) matched no band (or had missing values); assigned the "
                            f"default stage {spec.stage_default!r}")
        else:
            warnings.append(f"stages: {k} unit(s) matched no band (or had missing values); they have no "
                            "stage and are ranked and tiered in a group of their own")
    return out


def _stage_weight_table(h: Hierarchy, spec: Spec, stage_names: list[str]) -> dict[str, dict[str, float]]:
    table = {ALL_COHORTS: dict(h.weight)}
    known = set(h.weight)
    for s, ws in spec.weights_by_stage.items():
        for code in ws:
            if code not in known:
                raise SpecError(f"weights.by_stage.{s}.{code}", "unknown indicator or aggregate code")
    for s in stage_names:
        w = dict(h.weight)
        w.update(spec.weights_by_stage.get(s, {}))
        table[s] = w
    return table


def aggregate_tree(cols: dict[str, np.ndarray], h: Hierarchy, spec: Spec,
                   stage_weights: dict[str, dict[str, float]], stage_arr, *, warnings: list[str],
                   want_effective: bool = True, stage_codes: np.ndarray | None = None,
                   stage_labels: list[str] | None = None):
    """Aggregate level by level. Returns ``(aggregates, effective_weights or None)``.

    ``stage_arr`` is an array of weight-table keys per unit (or pass ``stage_codes`` + ``stage_labels``
    to avoid re-coding a large array).
    """
    if stage_codes is None:
        labels = sorted({str(s) for s in stage_arr})
        pos = {s: i for i, s in enumerate(labels)}
        stage_codes = np.array([pos[str(s)] for s in stage_arr], dtype=np.int64)
        stage_labels = labels
    tables = [stage_weights.get(lab, stage_weights[ALL_COHORTS]) for lab in stage_labels]
    values = dict(cols)
    aggs: dict[str, np.ndarray] = {}
    parts: dict[str, tuple[list, np.ndarray]] = {}
    for lvl in sorted(h.levels)[1:]:
        conf = spec.aggregator_for(lvl)
        for par in h.levels[lvl]:
            ch = h.children[par]
            ws: list[float | np.ndarray] = []
            for c in ch:
                per_stage = np.array([t[c] for t in tables], dtype=float)
                ws.append(float(per_stage[0]) if (per_stage == per_stage[0]).all() else per_stage[stage_codes])
            agg, tot, n_invalid = aggregate_columns([values[c] for c in ch], ws, method=conf["method"],
                                                    p=conf.get("p", 1.0),
                                                    min_availability=conf["min_availability"])
            if n_invalid:
                warnings.append(f"aggregate: {par}: {n_invalid} unit(s) missing because of a negative "
                                f"value ({conf['method']} mean) or zero total weight")
            values[par] = agg
            aggs[par] = agg
            if want_effective:
                parts[par] = (ws, tot)
    if not want_effective:
        return aggs, None
    eff: dict[str, np.ndarray] = {h.top: np.where(np.isnan(aggs[h.top]), np.nan, 1.0)}
    for lvl in sorted(h.levels, reverse=True)[:-1]:
        for par in h.levels[lvl]:
            ws, tot = parts.pop(par)
            pe = eff.pop(par)
            total = np.where(tot > 0, tot, np.nan)
            for c, w in zip(h.children[par], ws, strict=True):
                # renormalised weight: parent's weight × w / total (w / total first: w ≤ total, so a
                # tiny total cannot overflow); zero for a missing (or dropped) child
                with np.errstate(invalid="ignore", divide="ignore"):
                    ec = np.where(pe == 0, 0.0, pe * (w / total))
                ec[np.isnan(values[c])] = 0.0
                ec[np.isnan(pe)] = np.nan
                eff[c] = ec
    return aggs, {c: eff[c] for c in h.indicators}


def _item_points(data: pl.DataFrame, conf: dict, kind: str, warnings: list[str]) -> np.ndarray:
    n = data.height
    total = np.zeros(n)
    for it in conf["items"]:
        col = it["column"]
        if col not in data.columns:
            raise DataError(f"data: {kind} column {col!r} is missing")
        v = _float_col(data, col)
        miss = np.isnan(v)
        if miss.any():
            warnings.append(f"{kind}: {int(miss.sum())} missing value(s) in {col!r} counted as 0")
            v = np.where(miss, 0.0, v)
        if (v < 0).any():
            raise DataError(f"data: {kind} column {col!r} has negative values")
        pts = v * it["points"]
        if it["cap"] is not None:
            pts = np.minimum(pts, it["cap"])
        total += pts
    return total


# ---------------------------------------------------------------------------- main
_Snapshots = dict[str, tuple[dict[str, np.ndarray], np.ndarray]]
_PARAMS_SCHEMA = {"iCode": pl.String, "cohort": pl.String, "method": pl.String, "direction": pl.Float64,
                 "n": pl.Int64, "degenerate": pl.String, "params": pl.String}


def _indicator_columns(data: pl.DataFrame, h: Hierarchy) -> dict[str, np.ndarray]:
    return {c: _float_col(data, c) for c in h.indicators}


def _check_data_columns(data: pl.DataFrame, h: Hierarchy) -> None:
    if "uCode" not in data.columns:
        raise DataError("data: column 'uCode' is required")
    missing = [c for c in h.indicators if c not in data.columns]
    if missing:
        raise DataError(f"data: indicator column(s) missing: {', '.join(missing)}")


def _scored_period(data: pl.DataFrame, h: Hierarchy, spec: Spec, warnings: list[str]):
    """Panel data: denominate row-wise, run a panel imputation, then select the scored period.

    Returns the period's rows, their raw and denominated indicator columns, and the panel-imputed columns
    (``None`` unless the impute method works along Time).
    """
    data = data.sort(["uCode", "Time"], maintain_order=True)
    den_all = _denominate(_indicator_columns(data, h), data, h, spec, warnings)
    full = data.with_columns([pl.Series(c, den_all[c], nan_to_null=True) for c in h.indicators])
    times = data["Time"].drop_nulls().unique().sort()
    if times.len() == 0:
        raise DataError("data: column 'Time' has no values")
    latest = spec.time in (None, "latest")
    period = times[-1] if latest else spec.time
    if not latest and period not in times.to_list():
        raise SpecError("time", f"period {spec.time!r} not in the data ({times.to_list()})")
    sel = pl.col("Time") == period
    imp_panel = None
    if spec.impute["method"] in ("latest", "interpolate"):
        imp_panel = _indicator_columns(_impute_panel(full, h, spec.impute["method"]).filter(sel), h)
    data = data.filter(sel)
    raw_cols = _indicator_columns(data, h)
    den_cols = _indicator_columns(full.filter(sel), h)
    warnings.append(f"time: panel data; scoring period {period}")
    return data, raw_cols, den_cols, imp_panel


def _check_unique_units(data: pl.DataFrame, panel: bool) -> None:
    if data["uCode"].is_duplicated().any():
        dup = data.filter(data["uCode"].is_duplicated())["uCode"][0]
        raise DataError(f"data: uCode {dup!r} appears more than once"
                        + (" in the scored period" if panel else ""))


def _spec_columns(data: pl.DataFrame, spec: Spec) -> pl.DataFrame:
    """Only the few non-indicator columns used later travel with the units (cheap to filter)."""
    needed = {"uCode"}
    for name in (spec.impute["by"], spec.normalise["cohort"]):
        if name and name != "stage":
            needed.add(name)
    for band in spec.stages:
        needed.update(band.when)
    for item in (*spec.bonus["items"], *spec.penalty["items"]):
        needed.add(item["column"])
    for name in sorted(needed):
        if name not in data.columns:
            raise DataError(f"data: column {name!r} (used by the spec) is missing")
    return data.select(sorted(needed))


def _impute_and_screen(data: pl.DataFrame, raw_cols, den_cols, imp_panel, h: Hierarchy, spec: Spec,
                       warnings: list[str]):
    """Impute and screen in the spec's order.

    Returns the columns, the units left (their data and their positions in ``data``), the excluded units,
    the dropped indicators and the columns after each step with the positions of the units they hold.
    """
    cols = den_cols
    excluded: list[str] = []
    dropped: list[str] = []
    rows = np.arange(data.height)
    snapshots: _Snapshots = {"raw": (raw_cols, rows), "denominated": (den_cols, rows)}
    for step in [s for s in spec.order if s in ("impute", "screen")]:
        if step == "impute":
            if imp_panel is not None:
                cols = {c: (np.full(rows.size, np.nan) if c in dropped else v[rows])
                        for c, v in imp_panel.items()}
            else:
                cols = _impute(cols, data, h, spec, warnings)
            snapshots["imputed"] = (cols, rows)
        else:
            cols, data, _, ex, keep = _screen(cols, data, data["uCode"].cast(pl.String), h, spec, warnings,
                                              dropped)
            rows = rows[keep]
            excluded += ex
            snapshots["screened"] = (cols, rows)
    if data.height == 0:
        raise DataError("no units left to score (all screened out or empty data)")
    return cols, data, rows, excluded, dropped, snapshots


def _snapshot_table(snapshots: _Snapshots, name: str, ucode: pl.Series, rows: np.ndarray,
                    inds: list[str]) -> pl.DataFrame:
    snap_cols, snap_rows = snapshots[name]
    if snap_rows.size == rows.size:
        return _frame(ucode, snap_cols, inds)
    pos = np.searchsorted(snap_rows, rows)
    return _frame(ucode, {c: snap_cols[c][pos] for c in inds}, inds)


def _stage_setup(data: pl.DataFrame, h: Hierarchy, spec: Spec, warnings: list[str]):
    """Each unit's stage (a String series, null for none), the weight table of every stage, and each
    unit's weight-table code with the codes' labels."""
    stage_arr = assign_stages(data, spec, warnings)
    stage_series = pl.Series("stage", stage_arr.tolist() if spec.stages else [None] * data.height,
                             dtype=pl.String)
    stage_names = [b.name for b in spec.stages]
    if spec.stage_default is not None and spec.stage_default not in stage_names:
        stage_names.append(spec.stage_default)
    stage_weights = _stage_weight_table(h, spec, stage_names)
    w_codes, w_labels, _ = _groups(stage_series.fill_null(ALL_COHORTS))
    return stage_series, stage_weights, w_codes, [str(x) for x in w_labels]


def _cohorts(data: pl.DataFrame, spec: Spec, stage_series: pl.Series) -> tuple[list[str], list[np.ndarray]]:
    """The normalisation cohorts: their labels and the row indices of each."""
    cohort_col = spec.normalise["cohort"]
    if cohort_col is None:
        return [ALL_COHORTS], [np.arange(data.height)]
    if cohort_col == "stage":
        if not spec.stages:
            raise SpecError("normalise.cohort", "cohort 'stage' needs stages.bands")
        cser = stage_series.fill_null(NO_STAGE)
    elif cohort_col in data.columns:
        cser = data[cohort_col].cast(pl.String).fill_null("(missing)")
    else:
        raise DataError(f"data: normalise.cohort column {cohort_col!r} is missing")
    _, c_labels, c_idx = _groups(cser)
    return [str(x) for x in c_labels], c_idx


def _warn_fit(fit: NormaliserFit, code: str, cohort: str, warnings: list[str]) -> None:
    where = "" if cohort == ALL_COHORTS else f", cohort {cohort}"
    if fit.empty:
        warnings.append(f"normalise: {code}{where}: no data; the indicator is missing and dropped "
                        "from aggregation")
    elif fit.degenerate:
        mid = fit.params.get("midpoint")
        warnings.append(f"normalise: {code}{where}: {fit.degenerate} (n={fit.n}); every unit gets "
                        f"{_fmt(mid) if mid is not None else 'the midpoint'}")


def _normalise_indicator(code: str, x: np.ndarray, h: Hierarchy, spec: Spec, c_labels: list[str],
                         c_idx: list[np.ndarray],
                         warnings: list[str]) -> tuple[np.ndarray, list[NormaliserFit]]:
    """One indicator normalised within each cohort; its values and the fit of each cohort."""
    settings = spec.normaliser_for(code)
    y = np.full(x.shape, np.nan)
    fits: list[NormaliserFit] = []
    for lab, ix in zip(c_labels, c_idx, strict=True):
        xs = x[ix] if len(c_idx) > 1 else x
        try:
            fit = fit_normaliser(xs, settings, h.direction[code], h.target[code], code)
        except ValueError as exc:
            raise SpecError(f"normalise.indicators.{code}", str(exc)) from None
        ys = fit.apply(xs)
        if len(c_idx) > 1:
            y[ix] = ys
        else:
            y = np.asarray(ys, dtype=float)
        fits.append(fit)
        _warn_fit(fit, code, lab, warnings)
    return y, fits


def _normalise(cols: dict[str, np.ndarray], h: Hierarchy, spec: Spec, c_labels: list[str],
               c_idx: list[np.ndarray], warnings: list[str]):
    """Normalise every indicator; returns the fits by (indicator, cohort), the values and the params table."""
    fits: dict[tuple[str, str], NormaliserFit] = {}
    norm: dict[str, np.ndarray] = {}
    p_rows = []
    for code in h.indicators:
        y, code_fits = _normalise_indicator(code, cols[code], h, spec, c_labels, c_idx, warnings)
        for lab, fit in zip(c_labels, code_fits, strict=True):
            fits[(code, lab)] = fit
            p_rows.append({"iCode": code, "cohort": lab, "method": fit.method, "direction": fit.direction,
                           "n": fit.n, "degenerate": fit.degenerate, "params": fit.params_json()})
        norm[code] = y
        nmiss = int(np.isnan(y).sum())
        if nmiss and not all(fit.empty for fit in code_fits):
            warnings.append(f"normalise: {code}: {nmiss} missing value(s) remain; dropped (weights "
                            "renormalised) in aggregation")
    return fits, norm, pl.DataFrame(p_rows, schema=_PARAMS_SCHEMA)


def _weights_table(h: Hierarchy, stage_weights: dict[str, dict[str, float]]) -> pl.DataFrame:
    w_rows = []
    for key, table in stage_weights.items():
        for par, ch in h.children.items():
            tot = sum(table[c] for c in ch)
            for c in ch:
                w_rows.append({"cohort": key, "iCode": c, "Parent": par,
                               "Level": next(k for k, cs in h.levels.items() if c in cs),
                               "weight": table[c], "rescaled": table[c] / tot if tot > 0 else float("nan")})
    return pl.DataFrame(w_rows)


def _score(top: np.ndarray, data: pl.DataFrame, spec: Spec, ucode: pl.Series, warnings: list[str]):
    """Base points plus bonus minus penalty, within the floor and ceiling; returns the bonus, the penalty,
    the score and the bonus/penalty table."""
    base = top * spec.base_factor
    b_raw = _item_points(data, spec.bonus, "bonus", warnings)
    p_raw = _item_points(data, spec.penalty, "penalty", warnings)
    bonus = b_raw if spec.bonus["cap"] is None else np.minimum(b_raw, spec.bonus["cap"])
    pen = p_raw if spec.penalty["cap"] is None else np.minimum(p_raw, spec.penalty["cap"])
    score = base + bonus - pen
    if spec.floor is not None:
        score = np.where(np.isnan(score), np.nan, np.maximum(score, spec.floor))
    if spec.ceiling is not None:
        score = np.where(np.isnan(score), np.nan, np.minimum(score, spec.ceiling))
    n_noscore = int(np.isnan(score).sum())
    if n_noscore:
        warnings.append(f"score: {n_noscore} unit(s) have no score (the top aggregate is missing); they are "
                        "not ranked")
    bp_tab = pl.DataFrame([ucode, pl.Series("base", base, nan_to_null=True), pl.Series("bonus_raw", b_raw),
                           pl.Series("bonus", bonus), pl.Series("penalty_raw", p_raw),
                           pl.Series("penalty", pen), pl.Series("score", score, nan_to_null=True)])
    return bonus, pen, score, bp_tab


def _rank_and_tier(ucode: pl.Series, stage_series: pl.Series, score: np.ndarray,
                   tiers: list[tuple[str, float]]) -> pl.DataFrame:
    """Rank overall and within the stage, and the tier each unit's rank within its stage earns."""
    rk = pl.DataFrame([ucode, stage_series, pl.Series("score", score, nan_to_null=True)])
    grp = pl.col("stage").fill_null(NO_STAGE)
    rk = rk.with_columns(
        pl.col("score").rank("min", descending=True).cast(pl.Int64).alias("Rank"),
        pl.col("score").rank("min", descending=True).over(grp).cast(pl.Int64).alias("StageRank"),
        pl.col("score").count().over(grp).cast(pl.Int64).alias("StageSize"),
    )
    tier_expr = pl.lit(None, dtype=pl.String)
    for name, cut in reversed(tiers):
        limit = (pl.col("StageSize").cast(pl.Float64) * cut - 1e-9).ceil()
        tier_expr = pl.when(pl.col("StageRank").cast(pl.Float64) <= limit).then(pl.lit(name)).otherwise(tier_expr)
    return rk.with_columns(tier_expr.alias("tier"))


def run_pipeline(data: pl.DataFrame, meta: pl.DataFrame, spec: Spec | dict | str) -> PipelineResult:
    """Run the methodology ``spec`` on ``data`` (units x indicators) with iMeta ``meta``.

    Steps, each switched on and parameterised by the spec: denominate; screen and impute (in the
    spec's ``order``); treat outliers; assign life-cycle stages; normalise (directions first,
    optionally within a cohort); aggregate level by level with stage-specific weights; bonus and
    penalty; ranks (overall and within stage) and tiers within each stage. See
    :class:`PipelineResult` for what comes back and ``docs/methodology/spec.md`` for the rules.
    """
    spec = load_spec(spec)
    warnings: list[str] = []
    h = build_hierarchy(meta)
    _check_data_columns(data, h)
    panel = "Time" in data.columns
    imp_panel = None
    if panel:
        data, raw_cols, den_cols, imp_panel = _scored_period(data, h, spec, warnings)
    else:
        raw_cols = _indicator_columns(data, h)
        den_cols = _denominate(raw_cols, data, h, spec, warnings)
    _check_unique_units(data, panel)
    data = _spec_columns(data, spec)

    ucode_all = data["uCode"].cast(pl.String)
    inds = h.indicators
    cols, data, rows, excluded, dropped, snapshots = _impute_and_screen(data, raw_cols, den_cols, imp_panel,
                                                                        h, spec, warnings)
    ucode = ucode_all if rows.size == ucode_all.len() else ucode_all.gather(rows)
    treated, treat_details, treat_fits = _treat(cols, h, spec, warnings)

    stage_series, stage_weights, w_codes, w_labels = _stage_setup(data, h, spec, warnings)
    c_labels, c_idx = _cohorts(data, spec, stage_series)
    fits, norm, params_tab = _normalise(treated, h, spec, c_labels, c_idx, warnings)

    aggs, eff = aggregate_tree(norm, h, spec, stage_weights, None, warnings=warnings, want_effective=True,
                               stage_codes=w_codes, stage_labels=w_labels)
    agg_codes = h.aggregates
    for code in agg_codes:
        k = int(np.isnan(aggs[code]).sum())
        if k:
            warnings.append(f"aggregate: {code}: missing for {k} unit(s) (too few children with data)")

    top = aggs[h.top]
    bonus, pen, score, bp_tab = _score(top, data, spec, ucode, warnings)
    rk = _rank_and_tier(ucode, stage_series, score, spec.tiers)
    scores = pl.DataFrame([ucode, stage_series, pl.Series(h.top, top, nan_to_null=True),
                           pl.Series("bonus", bonus), pl.Series("penalty", pen)]).with_columns(
        rk["score"], rk["Rank"], rk["StageRank"], rk["tier"])

    def snapshot(name: str):
        return lambda: _snapshot_table(snapshots, name, ucode, rows, inds)

    tables = {
        **{name: snapshot(name) for name in ("raw", "denominated", "screened", "imputed")},
        "treated": lambda: _frame(ucode, treated, inds),
        "normalised": lambda: _frame(ucode, norm, inds),
        "aggregated": lambda: _frame(ucode, {**norm, **aggs}, inds + agg_codes),
        "effective_weights": lambda: _frame(ucode, eff, inds),
    }
    return PipelineResult(
        spec=spec, hierarchy=h, treatment_details=treat_details, weights=_weights_table(h, stage_weights),
        stages=pl.DataFrame([ucode, stage_series]),
        ranks=rk.select("uCode", "stage", "score", "Rank", "StageRank"),
        tiers=rk.select("uCode", "stage", "StageRank", "StageSize", "tier"), bonus_penalty=bp_tab,
        scores=scores, normaliser_params=params_tab, normaliser_fits=fits, treatment_fits=treat_fits,
        stage_weights=stage_weights, cohort_column=spec.normalise["cohort"], warnings=warnings,
        excluded_units=excluded, dropped_indicators=dropped, tables=tables,
    )
