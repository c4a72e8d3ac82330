"""Numbers for tables: the text of Django's ``{{ value|floatformat:"-2g" }}`` (a whole number without
decimals, anything else rounded half-up to two, grouped as the active language groups), made faster.

``floatformat`` looks the language's separators up and rebuilds the rounded number digit by digit for
every cell; a filings table calls it ~45 times per page. :class:`TwoDecimals` looks the separators
up once and lets ``Decimal`` write the rounded number. A test compares the two over many values in
every interface language; anything unusual (not finite, too many digits) is handed to
``floatformat`` itself.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.template.defaultfilters import floatformat
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import get_language

CENTS = Decimal("0.01")


class TwoDecimals:
    """``TwoDecimals()(value) == floatformat(value, "-2g")`` in the language active when it was made."""

    def __init__(self) -> None:
        lang = get_language()
        self.decimal_sep = get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
        self.grouping = get_format("NUMBER_GROUPING", lang, use_l10n=True)
        self.thousand_sep = get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)

    def __call__(self, value) -> str:
        try:
            d = Decimal(str(value))
            if not d.is_finite() or d.adjusted() > 24:
                raise InvalidOperation
            if d == d.to_integral_value():
                text, places = str(int(d)), 0
            else:
                rounded = d.quantize(CENTS, ROUND_HALF_UP)
                text, places = str(rounded if rounded else rounded.copy_abs()), 2  # never "-0.00"
        except (InvalidOperation, ValueError, TypeError):
            return floatformat(value, "-2g")
        return numberformat.format(text, self.decimal_sep, places, self.grouping, self.thousand_sep,
                                   force_grouping=True, use_l10n=True)
