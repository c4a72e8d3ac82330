import csv
import io
from pathlib import Path

import pytest

from innoregion.data.creditcode import make_code


def code(n: int) -> str:
    """A valid credit code, distinct for each n."""
    return make_code("9", "1", "220173", f"MA{n:06d}")


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def write(tmp: Path, name: str, rows: list[list], encoding: str = "utf-8") -> Path:
    path = tmp / name
    path.write_bytes(csv_bytes(rows, encoding))
    return path


REGISTRY_HEADER = ["统一社会信用代码", "企业名称", "成立日期", "国民经济行业代码", "产业集群", "所在园区", "是否上市"]


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.fixture
def reference(db, data_dir):
    from innoregion.apps.region.services import load_reference_data

    load_reference_data()


@pytest.fixture
def enterprises(reference):
    """Five registered enterprises code(1)..code(5)."""
    import datetime as dt

    from innoregion.apps.region.models import Enterprise

    Enterprise.objects.bulk_create([
        Enterprise(credit_code=code(i), name_zh=f"企业{i}", founded=dt.date(2015, 1, i), industry="C2710")
        for i in range(1, 6)
    ])
    return [code(i) for i in range(1, 6)]
