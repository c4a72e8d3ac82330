"""The server-drawn SVG charts: text is escaped, numbers are localised, bars scale to the largest."""

from __future__ import annotations

import re

from django.utils import translation

from innoregion.site.charts import hbar


def test_hbar_escapes_labels_and_scales_bars():
    with translation.override("en"):
        svg = str(hbar([("<script>alert(1)</script>", 1234.5), ("R&D", 617.25)], title='a "title"', digits=1,
                       target={"R&D": 1000}))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "R&amp;D" in svg
    assert 'aria-label="a &quot;title&quot;"' in svg
    assert "1,234.5" in svg  # grouped in English
    widths = [float(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)"', svg)]
    assert len(widths) == 2 and abs(widths[0] - 2 * widths[1]) < 0.2
    assert svg.count('class="target"') == 1


def test_hbar_localises_numbers():
    with translation.override("ko"):
        svg = str(hbar([("x", 1234567.0)], digits=0))
    assert "1,234,567" in svg
