"""While a file is checked, the cyclic garbage collector looks at the newest objects alone: what a
refused row leaves behind is still collected, and the collector's settings come back after."""

import gc
import io

import pytest

from imports import files
from imports.engine import YOUNG_OBJECTS, Importer, young_collected
from imports.modules import get_module
from tests.imports.helpers import messages, xlsx

HEADERS = ["客户代码", "客户名称", "客户类别", "状态", "电话"]
LONG_LIVED = 2**30


@pytest.fixture
def collecting():
    """The collector on, with the thresholds it had before the test put back after it."""
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    gc.enable()
    yield thresholds
    gc.set_threshold(*thresholds)
    if not enabled:
        gc.disable()


def test_a_check_collects_the_newest_objects_only_and_puts_the_collector_back(admin_user, collecting):
    """1 500 rows, every one refused (a phone that is no phone): each leaves an exception with its
    traceback behind, a cycle only the collector frees. The check collects them as it goes, and
    never walks the older generations, which hold the rows it keeps."""
    rows = [[f"C{4000 + n}", f"回收测试客户{n}", "汽车板客户", "合作中", f"电话{n}号"] for n in range(1500)]
    sheets = files.read(io.BytesIO(xlsx({"客户": [HEADERS, *rows]})), "客户.xlsx")
    importer = Importer(get_module("customers"), admin_user)
    during = []

    def watch(phase, info):
        if phase == "stop":
            during.append((info["generation"], info["collected"], gc.get_threshold()))

    gc.callbacks.append(watch)
    try:
        result = importer.check(sheets)
    finally:
        gc.callbacks.remove(watch)

    assert {column for _s, _r, column, _m in messages(result)} == {"电话"}
    assert len(messages(result)) == 1500
    young = (YOUNG_OBJECTS, LONG_LIVED, LONG_LIVED)
    checking = [
        (generation, collected) for generation, collected, thresholds in during if thresholds == young
    ]
    assert checking, "the collector never ran during the check"
    assert {generation for generation, _c in checking} == {0}
    assert sum(collected for _g, collected in checking) > 0
    assert gc.get_threshold() == collecting


def test_the_collector_is_put_back_when_a_check_fails(collecting):
    with pytest.raises(RuntimeError), young_collected():
        assert gc.get_threshold() == (YOUNG_OBJECTS, LONG_LIVED, LONG_LIVED)
        raise RuntimeError("the file could not be checked")
    assert gc.get_threshold() == collecting


def test_checks_running_at_once_put_the_collector_back_when_the_last_one_ends(collecting):
    first, second = young_collected(), young_collected()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first to start ends first: the second still runs
    assert gc.get_threshold() == (YOUNG_OBJECTS, LONG_LIVED, LONG_LIVED)
    second.__exit__(None, None, None)
    assert gc.get_threshold() == collecting
