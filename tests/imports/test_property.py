"""Random garbage rows mixed with good rows: the importer never crashes and never loses a good row."""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innoregion.apps.imports import services
from innoregion.apps.region.models import Filing
from tests.imports.conftest import code, csv_bytes

HEADER = ["credit_code", "year", "revenue", "rd_expense", "net_profit", "total_assets"]
KNOWN = [code(i) for i in range(1, 6)]
BAD_CELLS = ["约100万", "-5", "1,2,3", "abc", "1e999", "nan", "=1+1", "１２"]

garbage_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
good_value = st.one_of(st.just(""), st.integers(0, 10**12).map(str), st.floats(0, 1e12).map(lambda f: f"{f:.2f}"),
                       st.integers(0, 10**9).map(lambda n: f"{n:,}"))


@st.composite
def files(draw):
    enterprises = draw(st.permutations(KNOWN))[: draw(st.integers(0, 5))]
    good = [[c, "2024", *[draw(good_value) for _ in range(3)], str(draw(st.integers(0, 10**6)))]
            for c in enterprises]
    garbage = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["random", "bad cell", "bad code", "unknown"]))
        if kind == "random":
            garbage.append([draw(garbage_text) for _ in range(draw(st.integers(1, 9)))])
        elif kind == "bad cell":
            row = [draw(st.sampled_from(KNOWN)), "2024", "1", "2", "3", "4"]
            row[draw(st.sampled_from([2, 3, 5]))] = draw(st.sampled_from(BAD_CELLS))  # min 0 columns
            garbage.append(row)
        elif kind == "bad code":
            garbage.append([draw(garbage_text).replace(",", "") + "X", "2024", "1", "2", "3", "4"])
        else:
            garbage.append([code(900 + draw(st.integers(0, 50))), "2024", "1", "2", "3", "4"])
    rows = good + garbage
    random.Random(draw(st.integers(0, 10**6))).shuffle(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return good, csv_bytes([HEADER, *rows], encoding)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=files())
def test_garbage_never_crashes_and_good_rows_are_never_lost(enterprises, case):
    good, data = case
    batch = services.import_bytes(data, "tax_2024.csv", "tax")
    assert batch.status == "imported"
    stored = {(f.enterprise.credit_code, f.indicator.code): f.value
              for f in Filing.objects.filter(is_current=True, source="tax", year=2024)
              .select_related("enterprise", "indicator")}
    for row in good:
        for column, text in zip(HEADER[2:], row[2:], strict=True):
            if text:
                assert stored[(row[0], column)] == float(text.replace(",", "")), (row, column)
    assert batch.rows_accepted >= len(good)
    assert batch.rows_accepted + batch.rows_quarantined == batch.rows_total
