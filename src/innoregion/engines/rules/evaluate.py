"""Evaluate rule packs over a facts table, vectorised (one Polars plan per pack version).

Every condition has a state: 0 false, 1 unknown, 2 needs review, 3 true. ``all`` of states is their
minimum, ``any`` their maximum, so a false member decides ``all`` even when others are unknown, a
true member decides ``any``, and missing data never turns into "not met".

Outcome of a pack for one enterprise-year::

    applicability false                     -> not_applicable (also: no pack version for the year)
    Q = min(eligibility…, max(standard, route…))
    standard = min(criteria…, score test)
    Q: 3 met, 0 not_met, 1 unknown, 2 needs_review

The score test compares score bounds with the thresholds: each indicator gives [low, high] points
(unknown data: every band it could fall in; expert-judged parts: [0, max]; a band worth "7–8" points:
[7, 8]). Pass when the low bounds pass, fail when the high bounds fail, otherwise unknown if some
data is missing, else needs review.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .explain import DEFAULTS, LANGS, fmt_expr, parse_template, py_fmt, render
from .expr import Compiler, Node, state
from .facts import FACT_COLUMNS, assume_absent_exprs, ensure_columns
from .spec import Band, Indicator, Item, Option, Pack

OUTCOME_CODES = {3: "met", 0: "not_met", 1: "unknown", 2: "needs_review", -1: "not_applicable"}
OUTCOMES = ("met", "not_met", "unknown", "needs_review", "not_applicable")
F, U, R, T = 0, 1, 2, 3
CORE_COLUMNS = ["credit_code", "year", "pack", "version", "rung", "outcome", "score_lo", "score_hi", "score_max",
                "route", "distance", "valid_until"]


def _cmp(op: str, a: pl.Expr, b: float) -> pl.Expr:
    return a >= b if op == "ge" else a > b


def _band_cond(v: pl.Expr, b: Band) -> pl.Expr:
    conds = []
    if b.lower is not None:
        conds.append(v >= b.lower if b.lower_inclusive else v > b.lower)
    if b.upper is not None:
        conds.append(v <= b.upper if b.upper_inclusive else v < b.upper)
    if not conds:
        return pl.lit(True)
    out = conds[0]
    for c in conds[1:]:
        out = out & c
    return out


def _covers_line(bands: list[Band]) -> bool:
    """Whether the bands together cover every real number (then 'no band' is impossible)."""
    iv = sorted((b.lower if b.lower is not None else float("-inf"), not b.lower_inclusive,
                  b.upper if b.upper is not None else float("inf"), b.upper_inclusive) for b in bands)
    reach, reach_incl = float("-inf"), True
    started = False
    for lo, lo_open, hi, hi_incl in iv:
        if not started:
            if lo != float("-inf"):
                return False
            started = True
        elif lo > reach or (lo == reach and lo_open and not reach_incl):
            return False
        if hi > reach or (hi == reach and hi_incl):
            reach, reach_incl = hi, hi_incl
    return reach == float("inf")


@dataclass
class _OptPlan:
    opt: Option
    value: Node | None
    case_nodes: list[Node]


class PackPlan:
    """The compiled plan of one pack version: temporary columns in stages, then the outcome."""

    def __init__(self, pack: Pack):
        self.pack = pack
        self.c = Compiler(set(FACT_COLUMNS), pack.parameters)
        self.items: dict[str, tuple[str, Item, Node]] = {}
        for kind, items in (("eligibility", pack.eligibility), ("criteria", pack.criteria),
                            ("routes", pack.routes)):
            for it in items:
                self.items[it.id] = (kind, it, self.c.cond(it.test, it.id))
        self.applicability = self.c.cond(pack.applicability.test, "applicability") if pack.applicability else None
        self.opts: dict[str, list[_OptPlan]] = {}
        self.columns: set[str] = set()
        for ind in pack.indicators:
            plans = []
            for o in ind.options:
                value = self.c.num(o.value, o.id) if o.value is not None else None
                cases = [self.c.cond(cs.when, o.id) for cs in o.cases]
                plans.append(_OptPlan(o, value, cases))
            self.opts[ind.id] = plans
        for _, it, node in self.items.values():
            self.columns |= node.columns
            for spec in it.extra.values():
                self.columns |= self.c.num(spec, "extra").columns
        if self.applicability is not None:
            self.columns |= self.applicability.columns
        for plans in self.opts.values():
            for op in plans:
                if op.value is not None:
                    self.columns |= op.value.columns
                for n in op.case_nodes:
                    self.columns |= n.columns

    # ------------------------------------------------------------------ stage 1: atoms
    def stage1(self) -> list[pl.Expr]:
        out = []
        for iid, (_, _, node) in self.items.items():
            out.append(state(node.expr).alias(f"_s_{iid}"))
            out.append(pl.when(node.expr.not_()).then(node.distance).otherwise(0.0).alias(f"_d_{iid}"))
        if self.applicability is not None:
            out.append(state(self.applicability.expr).alias("_s__app"))
        for ind in self.pack.indicators:
            for op in self.opts[ind.id]:
                if op.value is not None:
                    out.append(op.value.expr.round(12).alias(f"_v_{op.opt.id}"))
                for j, node in enumerate(op.case_nodes):
                    out.append(state(node.expr).alias(f"_c_{op.opt.id}_{j}"))
        return out

    # ------------------------------------------------------------------ stage 2: indicator bounds
    def _option_bounds(self, op: _OptPlan) -> list[pl.Expr]:
        oid = op.opt.id
        if op.value is not None:
            v = pl.col(f"_v_{oid}")
            bands = op.opt.bands
            chain_idx = None
            for j, b in enumerate(bands):
                cond = _band_cond(v, b)
                chain_idx = (pl.when(cond) if chain_idx is None else chain_idx.when(cond)).then(
                    pl.lit(j, pl.Int16))
            covered = _covers_line(bands)
            unk_lo = min(b.lo for b in bands) if covered else 0.0
            unk_hi = max(b.hi for b in bands)
            idx = chain_idx.otherwise(pl.lit(len(bands), pl.Int16))
            los = pl.Series([b.lo for b in bands] + [0.0, unk_lo], dtype=pl.Float64)
            his = pl.Series([b.hi for b in bands] + [0.0, unk_hi], dtype=pl.Float64)
            # index len(bands): no band holds (0 points); len(bands) + 1: value unknown
            pos = pl.when(v.is_null()).then(pl.lit(len(bands) + 1, pl.Int16)).otherwise(idx)
            lo = pl.lit(los).gather(pos)
            hi = pl.lit(his).gather(pos)
            idx = pl.when(pos < len(bands)).then(pos)
            unk = v.is_null()
        else:
            states = [pl.col(f"_c_{oid}_{j}") for j in range(len(op.case_nodes))]
            cases = op.opt.cases
            no_t_before = pl.lit(True)
            possible_lo, possible_hi, unk_terms, idx_chain = [], [], [], None
            for j, s in enumerate(states):
                possible = no_t_before & (s != F)
                possible_lo.append(pl.when(possible).then(pl.lit(cases[j].lo)))
                possible_hi.append(pl.when(possible).then(pl.lit(cases[j].hi)))
                unk_terms.append(possible & (s == U))
                first_t = no_t_before & (s == T)
                idx_chain = (pl.when(first_t) if idx_chain is None else idx_chain.when(first_t)).then(
                    pl.lit(j, pl.Int16))
                no_t_before = no_t_before & (s != T)
            # the implicit last case: no case holds -> 0 points
            possible_lo.append(pl.when(no_t_before).then(pl.lit(0.0)))
            possible_hi.append(pl.when(no_t_before).then(pl.lit(0.0)))
            lo = pl.min_horizontal(possible_lo)
            hi = pl.max_horizontal(possible_hi)
            unk = pl.any_horizontal(unk_terms)
            idx = pl.when(unk).then(None).otherwise(idx_chain.otherwise(None))
        return [lo.alias(f"_lo_{oid}"), hi.alias(f"_hi_{oid}"), unk.alias(f"_u_{oid}"), idx.alias(f"_b_{oid}")]

    def stage2(self) -> list[pl.Expr]:
        out = []
        for ind in self.pack.indicators:
            if not ind.expert:
                for op in self.opts[ind.id]:
                    out += self._option_bounds(op)
        return out

    def stage3(self) -> list[pl.Expr]:
        out = []
        for ind in self.pack.indicators:
            if ind.expert:
                out += [pl.lit(0.0).alias(f"_ilo_{ind.id}"), pl.lit(ind.max).alias(f"_ihi_{ind.id}"),
                        pl.lit(False).alias(f"_iu_{ind.id}"), pl.lit(None, pl.Int16).alias(f"_ib_{ind.id}"),
                        pl.lit(None, pl.Int16).alias(f"_io_{ind.id}")]
                continue
            ops = self.opts[ind.id]
            if len(ops) == 1:
                oid = ops[0].opt.id
                lo, hi = pl.col(f"_lo_{oid}"), pl.col(f"_hi_{oid}")
                unk = pl.col(f"_u_{oid}") & (hi > lo)
                band = pl.col(f"_b_{oid}")
                chosen = pl.lit(0, pl.Int16)
            else:
                lo = pl.max_horizontal([pl.col(f"_lo_{o.opt.id}") for o in ops])
                hi = pl.max_horizontal([pl.col(f"_hi_{o.opt.id}") for o in ops])
                unk = pl.any_horizontal([pl.col(f"_u_{o.opt.id}") & (pl.col(f"_hi_{o.opt.id}") > lo) for o in ops])
                chosen_chain = None
                for k, o in enumerate(ops):
                    c = (pl.col(f"_lo_{o.opt.id}") == lo) & pl.col(f"_u_{o.opt.id}").not_()
                    chosen_chain = (pl.when(c) if chosen_chain is None else chosen_chain.when(c)).then(
                        pl.lit(k, pl.Int16))
                chosen = chosen_chain.otherwise(None)
                band_chain = None
                for k, o in enumerate(ops):
                    c = chosen == k
                    band_chain = (pl.when(c) if band_chain is None else band_chain.when(c)).then(
                        pl.col(f"_b_{o.opt.id}"))
                band = band_chain.otherwise(None)
            out += [lo.alias(f"_ilo_{ind.id}"), hi.alias(f"_ihi_{ind.id}"), unk.alias(f"_iu_{ind.id}"),
                    band.alias(f"_ib_{ind.id}"), chosen.alias(f"_io_{ind.id}")]
        return out

    # ------------------------------------------------------------------ stage 4: groups, score, outcome
    def stage4(self) -> list[pl.Expr]:
        pack = self.pack
        out = []
        if pack.indicators:
            for g in pack.groups:
                inds = [i for i in pack.indicators if i.group == g.id]
                glo = pl.sum_horizontal([pl.col(f"_ilo_{i.id}") for i in inds])
                ghi = pl.sum_horizontal([pl.col(f"_ihi_{i.id}") for i in inds])
                if g.max is not None:
                    glo, ghi = pl.min_horizontal(glo, pl.lit(g.max)), pl.min_horizontal(ghi, pl.lit(g.max))
                out += [glo.alias(f"_glo_{g.id}"), ghi.alias(f"_ghi_{g.id}")]
            out.append(pl.any_horizontal([pl.col(f"_iu_{i.id}") for i in pack.indicators]).alias("_score_unk"))
        return out

    def stage5(self) -> list[pl.Expr]:
        pack = self.pack
        if not pack.indicators:
            return []
        lo = pl.sum_horizontal([pl.col(f"_glo_{g.id}") for g in pack.groups]).alias("score_lo")
        hi = pl.sum_horizontal([pl.col(f"_ghi_{g.id}") for g in pack.groups]).alias("score_hi")
        return [lo, hi]

    def stage6(self) -> list[pl.Expr]:
        pack = self.pack
        out = []
        if pack.indicators:
            lo, hi = pl.col("score_lo"), pl.col("score_hi")
            passes, fails, dists = [], [], []
            if pack.total is not None:
                op, m = pack.total
                passes.append(_cmp(op, lo, m))
                fails.append(_cmp(op, hi, m).not_())
                dists.append(pl.when(_cmp(op, hi, m).not_()).then(
                    ((m - hi) / max(m, 1e-9)).clip(0.01, 1.0)).otherwise(0.0))
            for g in pack.groups:
                if g.minimum is None:
                    continue
                op, m = g.minimum
                glo, ghi = pl.col(f"_glo_{g.id}"), pl.col(f"_ghi_{g.id}")
                passes.append(_cmp(op, glo, m))
                fails.append(_cmp(op, ghi, m).not_())
                dists.append(pl.when(_cmp(op, ghi, m).not_()).then(
                    ((m - ghi) / max(m, 1e-9)).clip(0.01, 1.0) if m > 0 else pl.lit(1.0)).otherwise(0.0))
            if passes:
                s = (pl.when(pl.all_horizontal(passes)).then(pl.lit(T, pl.Int8))
                     .when(pl.any_horizontal(fails)).then(pl.lit(F, pl.Int8))
                     .when(pl.col("_score_unk")).then(pl.lit(U, pl.Int8))
                     .otherwise(pl.lit(R, pl.Int8)))
                out += [s.alias("_s__score"), pl.sum_horizontal(dists).alias("_d__score")]
        return out

    def has_score_test(self) -> bool:
        return bool(self.pack.indicators) and (
            self.pack.total is not None or any(g.minimum for g in self.pack.groups))

    def stage7(self) -> list[pl.Expr]:
        pack = self.pack
        elig = [pl.col(f"_s_{i.id}") for i in pack.eligibility]
        elig_d = [pl.col(f"_d_{i.id}") for i in pack.eligibility]
        if self.applicability is not None:
            elig.append(pl.when(pl.col("_s__app") == U).then(pl.lit(U, pl.Int8)).otherwise(pl.lit(T, pl.Int8)))
        std = [pl.col(f"_s_{i.id}") for i in pack.criteria]
        std_d = [pl.col(f"_d_{i.id}") for i in pack.criteria]
        if self.has_score_test():
            std.append(pl.col("_s__score"))
            std_d.append(pl.col("_d__score"))
        routes = [pl.col(f"_s_{i.id}") for i in pack.routes]
        e = pl.min_horizontal(elig) if elig else pl.lit(T, pl.Int8)
        s = pl.min_horizontal(std) if std else pl.lit(T, pl.Int8)
        alt = pl.max_horizontal([s, *routes]) if routes else s
        q = pl.min_horizontal(e, alt)
        if self.applicability is not None:
            q = pl.when(pl.col("_s__app") == F).then(pl.lit(-1, pl.Int8)).otherwise(q)
        # distance: eligibility gaps + the nearest of the standard route and the direct routes
        ed = pl.sum_horizontal(elig_d) if elig_d else pl.lit(0.0)
        sd = pl.sum_horizontal(std_d) if std_d else pl.lit(0.0)
        alt_d = [pl.when(s == F).then(sd).otherwise(0.0)]
        # a direct route counts with its distance only when it is known to fail: an unknown route is
        # not taken as "closer" than the known gaps of the standard route
        alt_d += [pl.when(pl.col(f"_s_{i.id}") == F).then(pl.col(f"_d_{i.id}")) for i in pack.routes]
        dist = ed + pl.when(alt == T).then(0.0).otherwise(pl.min_horizontal(alt_d))
        route_chain = pl.when(s == T).then(pl.lit("standard"))
        for i in pack.routes:
            route_chain = route_chain.when(pl.col(f"_s_{i.id}") == T).then(pl.lit(i.id))
        return [q.cast(pl.Int8).alias("_q"), s.alias("_s__std"), alt.alias("_s__alt"),
                pl.when(q == T).then(route_chain.otherwise(None)).alias("route"),
                pl.when(q >= 0).then(dist).alias("distance")]

    def finish(self) -> list[pl.Expr]:
        pack = self.pack
        outcome = pl.col("_q").replace_strict(OUTCOME_CODES, return_dtype=pl.String)
        valid_until = (pl.when(pl.col("_q") == T).then(pl.col("year") + (pack.validity_years - 1))
                       if pack.validity_years else pl.lit(None, pl.Int32))
        score_lo = pl.col("score_lo") if pack.indicators else pl.lit(None, pl.Float64)
        score_hi = pl.col("score_hi") if pack.indicators else pl.lit(None, pl.Float64)
        return [
            pl.lit(pack.id).alias("pack"), pl.lit(pack.version).alias("version"), pl.lit(pack.rung).alias("rung"),
            outcome.alias("outcome"), score_lo.alias("score_lo"), score_hi.alias("score_hi"),
            pl.lit(pack.max_score if pack.indicators else None, pl.Float64).alias("score_max"),
            valid_until.cast(pl.Int32).alias("valid_until"),
        ]

    def pipeline(self, lf: pl.LazyFrame) -> pl.LazyFrame:
        for stage in (self.stage1, self.stage2, self.stage3, self.stage4, self.stage5, self.stage6, self.stage7):
            exprs = stage()
            if exprs:
                lf = lf.with_columns(exprs)
        return lf.with_columns(self.finish())

    # ------------------------------------------------------------------ explanations
    def explain_exprs(self, langs: tuple[str, ...]) -> list[pl.Expr]:
        out = [self._missing().alias("missing"), self._details().alias("details")]
        for lang in langs:
            out.append(self._gaps(lang).alias(f"gaps_{lang}"))
        return out

    def _missing(self) -> pl.Expr:
        users: dict[str, list[pl.Expr]] = {}
        for iid, (_, _, node) in self.items.items():
            for col in node.columns:
                users.setdefault(col, []).append(pl.col(f"_s_{iid}") == U)
        if self.applicability is not None:
            for col in self.applicability.columns:
                users.setdefault(col, []).append(pl.col("_s__app") == U)
        for ind in self.pack.indicators:
            for op in self.opts.get(ind.id, []):
                cols = set(op.value.columns) if op.value is not None else set().union(
                    *(n.columns for n in op.case_nodes))
                for col in cols:
                    users.setdefault(col, []).append(pl.col(f"_iu_{ind.id}"))
        parts = [pl.when(pl.col(c).is_null() & pl.any_horizontal(us)).then(pl.lit(c))
                 for c, us in sorted(users.items())]
        if not parts:
            return pl.lit(None, pl.String)
        joined = pl.concat_str(parts, separator=", ", ignore_nulls=True)
        return pl.when(pl.col("_q").is_in([F, U, R])).then(pl.when(joined != "").then(joined))

    def _details(self) -> pl.Expr:
        fields = []
        for iid in self.items:
            fields.append(pl.col(f"_s_{iid}").replace_strict(
                {0: "false", 1: "unknown", 3: "true"}, return_dtype=pl.String).alias(iid))
        for ind in self.pack.indicators:
            members = [pl.col(f"_ilo_{ind.id}").alias("lo"), pl.col(f"_ihi_{ind.id}").alias("hi"),
                       pl.col(f"_ib_{ind.id}").alias("band")]
            ops = self.opts.get(ind.id, [])
            if ops and ops[0].value is not None and len(ops) == 1:
                members.append(pl.col(f"_v_{ops[0].opt.id}").alias("value"))
            if len(ops) == 1 and (ops[0].opt.bands or ops[0].opt.cases):
                labels = {j: band_text(b, ops[0].opt.format, "en") for j, b in enumerate(ops[0].opt.bands)} or {
                    j: (c.label or {}).get("en", f"case {j + 1}") for j, c in enumerate(ops[0].opt.cases)}
                members.append(pl.col(f"_ib_{ind.id}").replace_strict(
                    labels, default=None, return_dtype=pl.String).alias("band_label"))
            if len(ops) > 1:
                chain = None
                for k, o in enumerate(ops):
                    labels = {j: band_text(b, o.opt.format, "en") for j, b in enumerate(o.opt.bands)} or {
                        j: (c.label or {}).get("en", f"case {j + 1}") for j, c in enumerate(o.opt.cases)}
                    txt = pl.col(f"_b_{o.opt.id}").replace_strict(labels, default=None, return_dtype=pl.String)
                    cond = pl.col(f"_io_{ind.id}") == k
                    chain = pl.when(cond).then(txt) if chain is None else chain.when(cond).then(txt)
                members.append(chain.otherwise(None).alias("band_label"))
                members.append(pl.col(f"_io_{ind.id}").replace_strict(
                    {k: o.opt.id for k, o in enumerate(ops)}, default=None, return_dtype=pl.String).alias("option"))
            if ind.expert:
                members.append(pl.lit("expert").alias("judged_by"))
            fields.append(pl.struct(members).alias(ind.id))
        if not fields:
            return pl.lit("{}")
        return pl.struct(fields).struct.json_encode()

    def _item_gap(self, item: Item, node: Node, lang: str) -> pl.Expr:
        label = item.label[lang]
        fields: dict[str, tuple[pl.Expr | str, str | None]] = {"label": (label, None)}
        if node.value is not None:
            fields["value"] = (node.value, item.format)
            fields["threshold"] = (node.threshold, item.format)
            fields["op"] = (node.op or "", None)
        for name, spec in item.extra.items():
            fields[name] = (self.c.num(spec, name).expr, item.format)
        if item.gap:
            template = item.gap[lang]
        elif node.value is not None:
            template = DEFAULTS["compare"][lang]
        else:
            template = DEFAULTS["other"][lang]
        return render(template, fields, lang)

    def _gaps(self, lang: str) -> pl.Expr:
        pack = self.pack
        msgs: list[pl.Expr] = []
        for iid, (kind, item, node) in self.items.items():
            if kind == "routes":
                continue
            msgs.append(pl.when(pl.col(f"_s_{iid}") == F).then(self._item_gap(item, node, lang)))
        if self.has_score_test():
            score_txt = pl.when(pl.col("score_lo") == pl.col("score_hi")).then(fmt_expr(pl.col("score_lo"), "num", lang)) \
                .otherwise(fmt_expr(pl.col("score_lo"), "num", lang) + pl.lit("–") + fmt_expr(pl.col("score_hi"), "num", lang))
            mx = py_fmt(pack.max_score, "num", lang)
            if pack.total is not None:
                op, m = pack.total
                sym = "≥" if op == "ge" else ">"
                failing = _cmp(op, pl.col("score_hi"), m).not_()
                msgs.append(pl.when(failing).then(render(DEFAULTS["score"][lang], {
                    "score": (score_txt, "text"), "max": (mx, None), "op": (sym, None),
                    "min": (py_fmt(m, "num", lang), None)}, lang)))
                need = pl.lit(m) - pl.col("score_lo")
                room = pl.col("score_hi") - pl.col("score_lo")
                msgs.append(pl.when(pl.col("_s__score") == R).then(render(DEFAULTS["review"][lang], {
                    "score": (pl.col("score_lo"), "num"), "max": (mx, None),
                    "need": (need if op == "ge" else need + 0.01, "num"), "room": (room, "num")}, lang)))
                # hints: the next band of each banded indicator, when the total fails
                for ind in pack.indicators:
                    for op_plan in self.opts.get(ind.id, []):
                        hint = self._hint(ind, op_plan, lang)
                        if hint is not None:
                            msgs.append(pl.when(failing & (pl.col(f"_io_{ind.id}").fill_null(0) ==
                                                           ind.options.index(op_plan.opt))).then(hint))
            for g in pack.groups:
                if g.minimum is None:
                    continue
                op, m = g.minimum
                sym = "≥" if op == "ge" else ">"
                ghi, glo = pl.col(f"_ghi_{g.id}"), pl.col(f"_glo_{g.id}")
                gtxt = pl.when(glo == ghi).then(fmt_expr(glo, "num", lang)).otherwise(
                    fmt_expr(glo, "num", lang) + pl.lit("–") + fmt_expr(ghi, "num", lang))
                msgs.append(pl.when(_cmp(op, ghi, m).not_()).then(render(DEFAULTS["group"][lang], {
                    "label": (g.label[lang], None), "score": (gtxt, "text"), "op": (sym, None),
                    "min": (py_fmt(m, "num", lang), None)}, lang)))
        if pack.routes:
            names = ", ".join(r.label[lang] for r in pack.routes)
            msgs.append(pl.when((pl.col("_q") == F) & (pl.col("_s__std") == F)).then(
                render(DEFAULTS["routes"][lang], {"routes": (names, None)}, lang)))
        if not msgs:
            return pl.lit(None, pl.String)
        joined = pl.concat_str(msgs, separator="; ", ignore_nulls=True)
        return pl.when(pl.col("_q").is_in([F, U, R])).then(pl.when(joined != "").then(joined))

    def _hint(self, ind: Indicator, op_plan: _OptPlan, lang: str) -> pl.Expr | None:
        """'label value (points pts); ≥ next gives more pts' for the band the value is in (one render,
        the next band looked up by the band index)."""
        bands = op_plan.opt.bands
        if op_plan.value is None or not bands:
            return None
        nxt, nxt_points = {}, {}
        for j, b in enumerate(bands):
            better = [c for c in bands if c.hi > b.hi and c.lower is not None]
            if not better:
                continue
            nb = min(better, key=lambda c: c.hi)
            sym = "≥" if nb.lower_inclusive else ">"
            nxt[j] = f"{sym} {py_fmt(nb.lower, op_plan.opt.format, lang)}"
            nxt_points[j] = (py_fmt(nb.lo, "num", lang) if nb.lo == nb.hi else
                             f"{py_fmt(nb.lo, 'num', lang)}–{py_fmt(nb.hi, 'num', lang)}")
        if not nxt:
            return None
        band = pl.col(f"_b_{op_plan.opt.id}")
        next_txt = band.replace_strict(nxt, default=None, return_dtype=pl.String)
        next_pts = band.replace_strict(nxt_points, default=None, return_dtype=pl.String)
        pieces = []
        for kind, name, fmt in parse_template(DEFAULTS["hint"][lang]):
            if kind == "text":
                pieces.append(pl.lit(name))
            elif name == "label":
                pieces.append(pl.lit(op_plan.opt.label[lang]))
            elif name == "value":
                pieces.append(fmt_expr(pl.col(f"_v_{op_plan.opt.id}"), fmt or op_plan.opt.format, lang))
            elif name == "points":
                pieces.append(fmt_expr(pl.col(f"_lo_{op_plan.opt.id}"), "num", lang))
            elif name == "next":
                pieces.append(next_txt)
            else:
                pieces.append(next_pts)
        return pl.concat_str(pieces)  # null when there is no better band


def band_text(b: Band, fmt: str, lang: str) -> str:
    """A band in words: '≥ 25 % and < 30 %', or its own label."""
    if b.label:
        return b.label[lang]
    parts = []
    if b.lower is not None:
        parts.append(f"{'≥' if b.lower_inclusive else '>'} {py_fmt(b.lower, fmt, lang)}")
    if b.upper is not None:
        parts.append(f"{'≤' if b.upper_inclusive else '<'} {py_fmt(b.upper, fmt, lang)}")
    return {"zh": "且", "ko": " 및 ", "en": " and "}[lang].join(parts) if parts else "any"


_PLANS: dict[int, tuple[Pack, PackPlan]] = {}


def plan_for(pack: Pack) -> PackPlan:
    """The compiled plan of a pack (cached; the cache keeps the pack alive so its id is not reused)."""
    hit = _PLANS.get(id(pack))
    if hit is None or hit[0] is not pack:
        if len(_PLANS) > 256:
            _PLANS.clear()
        hit = _PLANS[id(pack)] = (pack, PackPlan(pack))
    return hit[1]


def evaluate(facts: pl.DataFrame | pl.LazyFrame, packs: list[Pack], year: int | None = None,
             explain: bool = False, langs: tuple[str, ...] = ("en",),
             assume_absent: tuple[str, ...] | list[str] = ()) -> pl.DataFrame:
    """Outcomes for every enterprise-year of ``facts`` and every pack id of ``packs``.

    For each row the pack version whose [valid_from, valid_to] holds the row's year is used; years
    no version covers give ``not_applicable``. ``year`` restricts the rows. With ``explain`` the
    result also has ``missing`` (facts columns whose absence leaves the outcome open), ``details``
    (JSON: condition states, indicator points, bands, chosen option) and ``gaps_<lang>`` (the failed
    conditions with their gaps in plain words).
    Columns: credit_code, year, pack, version, rung, outcome, score_lo, score_hi, score_max, route,
    distance, valid_until [, missing, details, gaps_<lang>…].
    ``assume_absent``: facts columns where a null means 0 (closed-world lists; see build_facts).
    """
    for lang in langs:
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
    lf = ensure_columns(facts)
    if assume_absent:
        lf = lf.with_columns(assume_absent_exprs(assume_absent))
    if year is not None:
        lf = lf.filter(pl.col("year") == year)
    base = lf.collect()
    years = base.get_column("year")
    ymin, ymax = (years.min(), years.max()) if base.height else (0, 0)
    columns = CORE_COLUMNS + (["missing", "details", *[f"gaps_{lang}" for lang in langs]] if explain else [])
    frames = []
    by_id: dict[str, list[Pack]] = {}
    for p in packs:
        by_id.setdefault(p.id, []).append(p)
    for pid, versions in by_id.items():
        covered = pl.lit(False)
        for pack in versions:
            in_range = pl.col("year") >= pack.valid_from
            if pack.valid_to is not None:
                in_range = in_range & (pl.col("year") <= pack.valid_to)
            covered = covered | in_range
            plan = plan_for(pack)
            part = base.lazy().select("credit_code", "year", *sorted(plan.columns))
            if not (pack.valid_from <= ymin and (pack.valid_to is None or ymax <= pack.valid_to)):
                part = part.filter(in_range)
            part = plan.pipeline(part)
            if explain:
                part = part.with_columns(plan.explain_exprs(langs))
            frames.append(part.select(columns))
        first = versions[0]
        na = base.lazy().select("credit_code", "year").filter(covered.not_()).select(
            "credit_code", "year", pl.lit(pid).alias("pack"), pl.lit(None, pl.String).alias("version"),
            pl.lit(first.rung).alias("rung"), pl.lit("not_applicable").alias("outcome"),
            *[pl.lit(None, pl.Float64).alias(c) for c in ("score_lo", "score_hi", "score_max")],
            pl.lit(None, pl.String).alias("route"), pl.lit(None, pl.Float64).alias("distance"),
            pl.lit(None, pl.Int32).alias("valid_until"),
            *([pl.lit(None, pl.String).alias(c) for c in columns[len(CORE_COLUMNS):]] if explain else []),
        )
        frames.append(na)
    if not frames:
        return pl.DataFrame(schema={c: pl.String for c in columns})
    return pl.concat(pl.collect_all(frames, engine="in-memory"), how="vertical_relaxed")
