"""Charts as inline SVG, drawn on the server (no JavaScript library, no online tiles).

Every function returns a ``SafeString``; all text that goes into the SVG is escaped."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#2f6f9f", "#d97b29", "#4f9a5a", "#a8468f", "#8c6d31", "#5b6bb5", "#b04a4a", "#3d8f8f"]


def _n(value: float, digits: int = 0) -> str:
    return number_format(value, digits, use_l10n=True, force_grouping=True)


def hbar(rows: list[tuple[str, float]], *, width: int = 520, target: dict[str, float] | None = None,
         title: str = "", digits: int = 0) -> SafeString:
    """Horizontal bars ``(label, value)``; ``target`` draws a marker per label."""
    target = target or {}
    bar_h, gap, left, right = 22, 8, 170, 70
    height = max(1, len(rows)) * (bar_h + gap) + 10
    top = max([v for _l, v in rows] + list(target.values()) + [1])
    scale = (width - left - right) / top
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'aria-label="{escape(title)}">']
    for i, (label, value) in enumerate(rows):
        # f-strings with the text escaped once (format_html per bar was a third of the enterprise
        # page's view time); numbers are formatted here, so nothing else needs escaping
        y = 5 + i * (bar_h + gap)
        w = max(0.0, value * scale)
        text, shown, ty = escape(label), escape(_n(value, digits)), f"{y + bar_h * 0.7:.1f}"
        parts.append(f'<text x="{left - 6}" y="{ty}" text-anchor="end" class="lbl">{text}</text>'
                     f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{PALETTE[i % len(PALETTE)]}">'
                     f'<title>{text}: {shown}</title></rect>'
                     f'<text x="{left + w + 4:.1f}" y="{ty}" class="val">{shown}</text>')
        if label in target:
            x = left + target[label] * scale
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 3}" y2="{y + bar_h + 3}" class="target">'
                         f'<title>{escape(_n(target[label]))}</title></line>')
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))


def histogram(series: dict[str, list[float]], *, bins: int = 10, lo: float = 0.0, hi: float = 100.0,
              width: int = 520, height: int = 200, title: str = "") -> SafeString:
    """Overlaid step histograms, one per named series (e.g. points per stage)."""
    left, bottom, top_pad = 40, 24, 10
    step = (hi - lo) / bins
    counts = {}
    for name, values in series.items():
        c = [0] * bins
        for v in values:
            if v is None:
                continue
            k = min(bins - 1, max(0, int((v - lo) / step))) if step else 0
            c[k] += 1
        counts[name] = c
    peak = max([max(c) for c in counts.values()] + [1])
    pw, ph = width - left - 10, height - bottom - top_pad
    bw = pw / bins
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height + 18 * len(series)}" width="100%" '
             f'aria-label="{escape(title)}">',
             f'<line x1="{left}" y1="{top_pad + ph}" x2="{left + pw}" y2="{top_pad + ph}" class="axis"/>']
    for b in range(bins + 1):
        if b % 2 == 0:
            parts.append(f'<text x="{left + b * bw:.1f}" y="{top_pad + ph + 14}" class="tick" '
                         f'text-anchor="middle">{escape(_n(lo + b * step))}</text>')
    for i, (name, c) in enumerate(counts.items()):
        colour = PALETTE[i % len(PALETTE)]
        pts = []
        for b, n in enumerate(c):
            y = top_pad + ph - n / peak * ph
            pts += [f"{left + b * bw:.1f},{y:.1f}", f"{left + (b + 1) * bw:.1f},{y:.1f}"]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(pts)}"/>')
        ly = height + 18 * i + 4
        parts.append(format_html('<rect x="{}" y="{}" width="12" height="10" fill="{}"/>'
                                 '<text x="{}" y="{}" class="lbl">{} ({})</text>',
                                 left, ly, colour, left + 18, ly + 9, name, _n(sum(c))))
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))


def lines(series: dict[str, list[tuple[int, float]]], *, width: int = 520, height: int = 200,
          title: str = "") -> SafeString:
    """Line chart over years: ``{name: [(year, value), ...]}``."""
    left, bottom, top_pad = 50, 24, 10
    years = sorted({y for pts in series.values() for y, _v in pts})
    if not years:
        return mark_safe("")
    peak = max([v for pts in series.values() for _y, v in pts] + [1])
    pw, ph = width - left - 25, height - bottom - top_pad
    span = max(1, years[-1] - years[0])

    def xy(y, v):
        return left + (y - years[0]) / span * pw, top_pad + ph - v / peak * ph

    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height + 18 * len(series)}" width="100%" '
             f'aria-label="{escape(title)}">',
             f'<line x1="{left}" y1="{top_pad + ph}" x2="{left + pw}" y2="{top_pad + ph}" class="axis"/>',
             f'<text x="{left - 4}" y="{top_pad + 8}" class="tick" text-anchor="end">{escape(_n(peak))}</text>']
    every = max(1, -(-len(years) // 8))
    for y in years[::every]:
        x, _ = xy(y, 0)
        parts.append(f'<text x="{x:.1f}" y="{top_pad + ph + 14}" class="tick" text-anchor="middle">{y}</text>')
    for i, (name, pts) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        coords = " ".join("{},{}".format(*xy(y, v)) for y, v in sorted(pts))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>')
        ly = height + 18 * i + 4
        parts.append(format_html('<rect x="{}" y="{}" width="12" height="10" fill="{}"/>'
                                 '<text x="{}" y="{}" class="lbl">{}</text>', left, ly, colour, left + 18, ly + 9, name))
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))


def zones_map(zones: list[dict], *, width: int = 560, height: int = 380, title: str = "") -> SafeString:
    """The zones drawn from their GeoJSON polygons (equirectangular, cos(lat) corrected).

    ``zones``: ``[{"code", "name", "kind", "coordinates": [[lon, lat], ...], "count": n}]``."""
    import math

    pts = [p for z in zones for p in z["coordinates"]]
    if not pts:
        return mark_safe("")
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    k = math.cos(math.radians(sum(lats) / len(lats)))
    x0, x1, y0, y1 = min(lons) * k, max(lons) * k, min(lats), max(lats)
    pad = 20
    s = min((width - 2 * pad) / max(x1 - x0, 1e-9), (height - 2 * pad) / max(y1 - y0, 1e-9))

    def proj(lon, lat):
        return pad + (lon * k - x0) * s, height - pad - (lat - y0) * s

    fill = {"zone": "#cfe1f2", "core": "#f6c28b", "circle": "none"}
    parts = [f'<svg class="chart map" role="img" viewBox="0 0 {width} {height + 10 + 18 * len(zones)}" width="100%" '
             f'aria-label="{escape(title)}">']
    order = sorted(zones, key=lambda z: {"zone": 0, "circle": 1, "core": 2}.get(z["kind"], 3))
    for z in order:
        xy = [proj(*p) for p in z["coordinates"]]
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + " Z"
        cls = f"zone-{z['kind']}"
        parts.append(format_html(
            '<path d="{}" class="{}" fill="{}"><title>{}: {}</title></path>',
            d, cls, fill.get(z["kind"], "#ddd"), z["name"], _n(z.get("count", 0))))
    for z in order:
        if z["kind"] == "circle":
            continue
        xy = [proj(*p) for p in z["coordinates"][:-1]]
        cx = sum(x for x, _y in xy) / len(xy)
        cy = sum(y for _x, y in xy) / len(xy) + (0 if z["kind"] == "core" else 26)
        parts.append(format_html('<text x="{}" y="{}" text-anchor="middle" class="mapval">{}</text>',
                                 f"{cx:.1f}", f"{cy:.1f}", _n(z.get("count", 0))))
    for i, z in enumerate(order):  # legend under the map: name and count
        ly = height + 6 + 18 * i
        swatch = fill.get(z["kind"], "#ddd")
        dash = ' stroke-dasharray="4 2" stroke="#4f9a5a"' if z["kind"] == "circle" else ' stroke="#2f4f6f"'
        parts.append(format_html('<rect x="{}" y="{}" width="14" height="11" fill="{}"{}></rect>'
                                 '<text x="{}" y="{}" class="lbl">{} · {}</text>',
                                 pad, ly, "#fff" if swatch == "none" else swatch, mark_safe(dash), pad + 20, ly + 10,
                                 z["name"], _n(z.get("count", 0))))
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))
