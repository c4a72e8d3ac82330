"""Declarative expressions over facts columns, compiled to Polars expressions.

An expression is YAML data, never a string that is evaluated:

* a number or a boolean — a literal;
* a string — a facts column (``revenue``), or ``$name`` for a pack parameter;
* a one-key mapping ``{op: args}``, with the ops below.

Numeric ops: ``ratio [a, b]`` (a / b; ``on_zero`` gives the value when b = 0, default unknown),
``sum``, ``sub [a, b]``, ``mul``, ``min``, ``max`` (lists), ``cagr [start, end, years]``,
``growth [previous, current]`` (current / previous − 1; from a zero base +∞ / 0 / −∞ by the sign
of current; unknown when previous < 0), the same zero-base rule for ``cagr``,
``avg_growth [y1, y2, y3]`` (the HNTE formula ½·(y2/y1 + y3/y2) − 1; y1 = 0 → y3/y2 − 1;
y2 = 0 → −∞, i.e. the lowest band), ``if [condition, then, else]``.

Condition ops (three-valued: true, false, unknown = null): ``ge gt le lt eq ne [a, b]``,
``all [...]``, ``any [...]``, ``not c``, ``flag column`` (a 0/1 column is 1).
``all``/``any`` follow Kleene logic: a false member makes ``all`` false even when others are
unknown; a true member makes ``any`` true.

Every compiled node knows the facts columns it reads (for "missing fields") and, for conditions,
a *distance* expression in [0, 1] used when the condition is false (how far it is from holding:
the relative shortfall of a comparison; 1 for a flag; the sum over failed members of ``all``;
the smallest over members of ``any``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .errors import PackError

NUM_OPS = ("ratio", "sum", "sub", "mul", "min", "max", "cagr", "growth", "avg_growth", "if")
COND_OPS = ("ge", "gt", "le", "lt", "eq", "ne", "all", "any", "not", "flag")
COMPARE = {
    "ge": (lambda a, b: a >= b, "≥"),
    "gt": (lambda a, b: a > b, ">"),
    "le": (lambda a, b: a <= b, "≤"),
    "lt": (lambda a, b: a < b, "<"),
    "eq": (lambda a, b: a == b, "="),
    "ne": (lambda a, b: a != b, "≠"),
}
EPS = 1e-12


@dataclass
class Node:
    expr: pl.Expr
    columns: set[str] = field(default_factory=set)
    kind: str = "num"  # num | cond
    distance: pl.Expr | None = None  # for conditions: distance when false
    value: pl.Expr | None = None  # for comparisons: left side
    threshold: pl.Expr | None = None  # for comparisons: right side
    op: str | None = None  # for comparisons: the operator symbol


class Compiler:
    """Compiles expression data; ``columns`` is the set of known facts columns (None: any)."""

    def __init__(self, columns: set[str] | None, params: dict[str, float]):
        self.known = columns
        self.params = params

    def num(self, spec: Any, path: str) -> Node:
        node = self._compile(spec, path)
        if node.kind != "num":
            raise PackError(path, "expected a number expression, got a condition")
        return node

    def cond(self, spec: Any, path: str) -> Node:
        node = self._compile(spec, path)
        if node.kind != "cond":
            raise PackError(path, "expected a condition (ge, gt, le, lt, eq, ne, all, any, not, flag)")
        return node

    # ------------------------------------------------------------------
    def _compile(self, spec: Any, path: str) -> Node:
        if isinstance(spec, bool | int | float | str):
            return self._leaf(spec, path)
        if not isinstance(spec, dict) or len(spec) < 1:
            raise PackError(path, f"expected a number, a column name or a one-key mapping, got {spec!r}")
        extra = {k: v for k, v in spec.items() if k == "on_zero"}
        ops = [k for k in spec if k != "on_zero"]
        if len(ops) != 1:
            raise PackError(path, f"an expression has exactly one operator, got {sorted(ops)}")
        op = ops[0]
        args = spec[op]
        sub = f"{path}.{op}"
        if extra and op != "ratio":
            raise PackError(path, "'on_zero' only applies to 'ratio'")
        if op == "ratio":
            return self._ratio(args, sub, extra.get("on_zero"), f"{path}.on_zero")
        handler = _OPS.get(op)
        if handler is None:
            raise PackError(path, f"unknown operator '{op}'; expected one of {', '.join(NUM_OPS + COND_OPS)}")
        return handler(self, op, args, sub)

    def _leaf(self, spec: bool | int | float | str, path: str) -> Node:
        """A literal, a ``$parameter`` or a facts column."""
        if isinstance(spec, bool):
            return Node(pl.lit(spec, dtype=pl.Boolean), kind="cond", distance=pl.lit(1.0))
        if isinstance(spec, int | float):
            return Node(pl.lit(float(spec), dtype=pl.Float64))
        if spec.startswith("$"):
            name = spec[1:]
            if name not in self.params:
                raise PackError(path, f"unknown parameter '{name}'; declared: {sorted(self.params)}")
            return Node(pl.lit(float(self.params[name]), dtype=pl.Float64))
        if self.known is not None and spec not in self.known:
            raise PackError(path, f"unknown facts column '{spec}' (see docs/rules/facts.md)")
        return Node(pl.col(spec).cast(pl.Float64), {spec})

    def _nums(self, args: list, sub: str) -> list[Node]:
        return [self.num(a, f"{sub}[{i}]") for i, a in enumerate(args)]

    def _compare(self, op: str, args: Any, sub: str) -> Node:
        left, right = self._nums(self._args(args, 2, sub), sub)
        fn, symbol = COMPARE[op]
        if op in ("eq", "ne"):
            dist = pl.lit(1.0)
        else:
            dist = ((right.expr - left.expr).abs() / pl.max_horizontal(right.expr.abs(), pl.lit(EPS)))
            dist = dist.clip(0.01, 1.0)
        # both sides rounded to 12 decimals: a ratio that is 0.35 on paper must not miss "≥ 0.35"
        # because of binary floating point
        return Node(fn(left.expr.round(12), right.expr.round(12)), left.columns | right.columns, "cond", dist,
                    left.expr, right.expr, symbol)

    def _all_any(self, op: str, args: Any, sub: str) -> Node:
        if not isinstance(args, list) or not args:
            raise PackError(sub, "expected a non-empty list of conditions")
        kids = [self.cond(a, f"{sub}[{i}]") for i, a in enumerate(args)]
        cols = set().union(*(k.columns for k in kids))
        if op == "all":
            expr = pl.all_horizontal([k.expr for k in kids])
            dist = pl.sum_horizontal([pl.when(k.expr.not_()).then(k.distance).otherwise(0.0) for k in kids])
        else:
            expr = pl.any_horizontal([k.expr for k in kids])
            dist = pl.min_horizontal([pl.when(k.expr.not_()).then(k.distance) for k in kids])
        return Node(expr, cols, "cond", dist)

    def _not(self, op: str, args: Any, sub: str) -> Node:
        kid = self.cond(args, sub)
        return Node(kid.expr.not_(), kid.columns, "cond", pl.lit(1.0))

    def _flag(self, op: str, args: Any, sub: str) -> Node:
        if not isinstance(args, str) or args.startswith("$"):
            raise PackError(sub, "expected a facts column name")
        col = self.num(args, sub)
        return Node(col.expr != 0, col.columns, "cond", pl.lit(1.0))

    def _ratio(self, args: Any, sub: str, on_zero: Any, on_zero_path: str) -> Node:
        num, den = self._nums(self._args(args, 2, sub), sub)
        if on_zero is not None and not isinstance(on_zero, int | float):
            raise PackError(on_zero_path, "expected a number")
        zero = pl.lit(None, dtype=pl.Float64) if on_zero is None else pl.lit(float(on_zero))
        expr = pl.when(den.expr == 0).then(zero).otherwise(num.expr / den.expr)
        return Node(expr, num.columns | den.columns)

    def _fold(self, op: str, args: Any, sub: str) -> Node:
        """``sum``, ``mul``, ``min``, ``max`` of two or more expressions (min, max: unknown if any is)."""
        if not isinstance(args, list) or len(args) < 2:
            raise PackError(sub, "expected a list of at least two expressions")
        kids = self._nums(args, sub)
        cols = set().union(*(k.columns for k in kids))
        expr = kids[0].expr
        for k in kids[1:]:
            if op == "sum":
                expr = expr + k.expr
            elif op == "mul":
                expr = expr * k.expr
            elif op == "min":
                expr = pl.when(expr.is_null() | k.expr.is_null()).then(None).otherwise(
                    pl.min_horizontal(expr, k.expr))
            else:
                expr = pl.when(expr.is_null() | k.expr.is_null()).then(None).otherwise(
                    pl.max_horizontal(expr, k.expr))
        return Node(expr, cols)

    def _sub(self, op: str, args: Any, sub: str) -> Node:
        x, y = self._nums(self._args(args, 2, sub), sub)
        return Node(x.expr - y.expr, x.columns | y.columns)

    def _growth(self, op: str, args: Any, sub: str) -> Node:
        prev, cur = self._nums(self._args(args, 2, sub), sub)
        expr = (pl.when(prev.expr > 0).then(cur.expr / prev.expr - 1.0)
                .when(prev.expr == 0).then(_sign_inf(cur.expr)))
        return Node(expr, prev.columns | cur.columns)

    def _cagr(self, op: str, args: Any, sub: str) -> Node:
        a, b, n = self._args(args, 3, sub)
        start, end = self._nums([a, b], sub)
        if not isinstance(n, int | float) or n <= 0:
            raise PackError(f"{sub}[2]", "expected a positive number of years")
        expr = (pl.when(start.expr > 0).then(
            pl.when(end.expr <= 0).then(-1.0).otherwise((end.expr / start.expr) ** (1.0 / n) - 1.0))
            .when(start.expr == 0).then(_sign_inf(end.expr)))
        return Node(expr, start.columns | end.columns)

    def _avg_growth(self, op: str, args: Any, sub: str) -> Node:
        y1, y2, y3 = self._nums(self._args(args, 3, sub), sub)
        e1, e2, e3 = y1.expr, y2.expr, y3.expr
        expr = (
            pl.when(e1.is_null() | e2.is_null() | e3.is_null()).then(None)
            .when(e2 == 0).then(float("-inf"))
            .when(e1 == 0).then(e3 / e2 - 1.0)
            .otherwise(0.5 * (e2 / e1 + e3 / e2) - 1.0)
        )
        return Node(expr, y1.columns | y2.columns | y3.columns)

    def _if(self, op: str, args: Any, sub: str) -> Node:
        c, a, b = self._args(args, 3, sub)
        cond = self.cond(c, f"{sub}[0]")
        x, y = self.num(a, f"{sub}[1]"), self.num(b, f"{sub}[2]")
        expr = pl.when(cond.expr.is_null()).then(None).when(cond.expr).then(x.expr).otherwise(y.expr)
        return Node(expr, cond.columns | x.columns | y.columns)

    @staticmethod
    def _args(args: Any, n: int, path: str) -> list:
        if not isinstance(args, list) or len(args) != n:
            raise PackError(path, f"expected a list of {n} arguments, got {args!r}")
        return args


_OPS: dict[str, Callable[[Compiler, str, Any, str], Node]] = {
    **dict.fromkeys(COMPARE, Compiler._compare),
    "all": Compiler._all_any, "any": Compiler._all_any, "not": Compiler._not, "flag": Compiler._flag,
    **dict.fromkeys(("sum", "mul", "min", "max"), Compiler._fold),
    "sub": Compiler._sub, "growth": Compiler._growth, "cagr": Compiler._cagr,
    "avg_growth": Compiler._avg_growth, "if": Compiler._if,
}


def _sign_inf(x: pl.Expr) -> pl.Expr:
    """Growth from a zero base: +inf when the end value is positive, 0 when zero, -inf when negative."""
    return pl.when(x > 0).then(float("inf")).when(x == 0).then(0.0).when(x < 0).then(float("-inf"))


def state(cond: pl.Expr) -> pl.Expr:
    """Boolean-with-null -> state code (0 false, 1 unknown, 3 true)."""
    return (cond.cast(pl.Int8) * pl.lit(3, pl.Int8)).fill_null(pl.lit(1, pl.Int8))


Formatter = Callable[[pl.Expr], pl.Expr]
