"""Plain-words gap messages in zh, ko and en: templates, number formats, engine default texts."""

from __future__ import annotations

import math
import re

import polars as pl

LANGS = ("zh", "ko", "en")
_FIELD = re.compile(r"\{(\w+)(?::(\w+))?\}")

OUTCOME_LABELS = {
    "met": {"zh": "符合", "ko": "충족", "en": "met"},
    "not_met": {"zh": "不符合", "ko": "미충족", "en": "not met"},
    "unknown": {"zh": "数据不足", "ko": "자료 부족", "en": "unknown"},
    "needs_review": {"zh": "待专家评审", "ko": "전문가 심사 필요", "en": "needs review"},
    "not_applicable": {"zh": "不适用", "ko": "해당 없음", "en": "not applicable"},
}

DEFAULTS = {
    # a failed comparison with no template in the pack
    "compare": {"zh": "{label}：{value}，要求{op}{threshold}", "ko": "{label}: {value}, 기준 {op} {threshold}",
                "en": "{label} {value}; needs {op} {threshold}"},
    # a failed flag / all / any condition with no template in the pack
    "other": {"zh": "{label}：不满足", "ko": "{label}: 미충족", "en": "{label}: not met"},
    "score": {"zh": "总分{score}（满分{max}），要求{op}{min}", "ko": "총점 {score}(만점 {max}), 기준 {op} {min}",
              "en": "score {score} of {max}; needs {op} {min}"},
    "group": {"zh": "{label}得分{score}，要求{op}{min}", "ko": "{label} 점수 {score}, 기준 {op} {min}",
              "en": "{label} score {score}; needs {op} {min}"},
    "review": {"zh": "可计算部分{score}分（满分{max}）：专家评审部分须在其余{room}分中至少给出{need}分方可达标",
               "ko": "계산 가능 부분 {score}점(만점 {max}): 나머지 {room}점 중 전문가 평가가 {need}점 이상이어야 충족",
               "en": "computable {score} of max {max}: qualifies only if experts give ≥ {need} of the remaining {room}"},
    "hint": {"zh": "{label}{value}（{points}分）；{next}可得{next_points}分",
             "ko": "{label} {value}({points}점); {next}이면 {next_points}점",
             "en": "{label} {value} ({points} pts); {next} gives {next_points} pts"},
    "routes": {"zh": "直接认定条件均不满足：{routes}", "ko": "직접 인정 경로 미충족: {routes}",
               "en": "no direct route met: {routes}"},
}
YES = {"zh": "是", "ko": "예", "en": "yes"}
NO = {"zh": "否", "ko": "아니오", "en": "no"}


def parse_template(text: str) -> list[tuple[str, str, str | None]]:
    """``"a {x:pct} b"`` -> [("text", "a ", None), ("field", "x", "pct"), ("text", " b", None)]."""
    parts: list[tuple[str, str, str | None]] = []
    pos = 0
    for m in _FIELD.finditer(text):
        if m.start() > pos:
            parts.append(("text", text[pos:m.start()], None))
        parts.append(("field", m.group(1), m.group(2)))
        pos = m.end()
    if pos < len(text):
        parts.append(("text", text[pos:], None))
    rest = _FIELD.sub("", text)
    if "{" in rest or "}" in rest:
        raise ValueError(f"malformed placeholder in {text!r}")
    return parts


def _num_str(x: pl.Expr, digits: int) -> pl.Expr:
    s = x.round(digits).cast(pl.String)
    return s.str.replace(r"\.0$", "")


def fmt_expr(x: pl.Expr, fmt: str | None, lang: str) -> pl.Expr:
    """A number column as display text (null -> '?')."""
    fmt = fmt or "num"
    if fmt == "pct":
        out = _num_str(x * 100.0, 1) + pl.lit(" %")
    elif fmt == "money":
        out = (_num_str(x / 1e4, 1) + pl.lit("万元")) if lang == "zh" else (
            pl.lit("¥") + _num_str(x / 1e6, 2) + pl.lit(" M"))
    elif fmt == "usd":
        out = pl.lit("US$") + _num_str(x / 1e6, 1) + pl.lit(" M")
    elif fmt == "int":
        out = _num_str(x, 0)
    elif fmt == "years":
        out = _num_str(x, 0) + pl.lit({"zh": "年", "ko": "년", "en": " y"}[lang])
    elif fmt == "flag":
        out = pl.when(x != 0).then(pl.lit(YES[lang])).otherwise(pl.lit(NO[lang]))
    else:
        out = _num_str(x, 2)
    return out.fill_null("?")


def py_fmt(value: float | None, fmt: str | None, lang: str) -> str:
    """The same formats for a Python number (thresholds, band bounds)."""
    if value is None:
        return "?"
    fmt = fmt or "num"

    def n(v: float, d: int) -> str:
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        s = f"{round(v, d):.{d}f}" if d else str(int(round(v)))
        return s.rstrip("0").rstrip(".") if "." in s else s

    if fmt == "pct":
        return f"{n(value * 100, 1)} %"
    if fmt == "money":
        return f"{n(value / 1e4, 1)}万元" if lang == "zh" else f"¥{n(value / 1e6, 2)} M"
    if fmt == "usd":
        return f"US${n(value / 1e6, 1)} M"
    if fmt == "int":
        return n(value, 0)
    if fmt == "years":
        return n(value, 0) + {"zh": "年", "ko": "년", "en": " y"}[lang]
    if fmt == "flag":
        return YES[lang] if value else NO[lang]
    return n(value, 2)


def render(template: str, fields: dict[str, tuple[pl.Expr | str, str | None]], lang: str) -> pl.Expr:
    """Template -> string expression. ``fields``: name -> (expression or ready text, default format);
    the format "text" marks an expression that is already a string."""
    pieces: list[pl.Expr] = []
    for kind, name, fmt in parse_template(template):
        if kind == "text":
            pieces.append(pl.lit(name))
            continue
        value, default_fmt = fields[name]
        if isinstance(value, str):
            pieces.append(pl.lit(value))
        elif default_fmt == "text":
            pieces.append(value.fill_null("?"))
        else:
            pieces.append(fmt_expr(value, fmt or default_fmt, lang))
    return pl.concat_str(pieces) if len(pieces) > 1 else pieces[0]
