"""The cyclic garbage collector is held off while a file is checked, and always runs again after."""

import gc

import pytest

from imports.engine import collector_paused
from tests.imports.helpers import check, messages, xlsx

HEADERS = ["客户代码", "客户名称", "客户类别", "状态"]


@pytest.fixture
def collecting():
    enabled = gc.isenabled()
    gc.enable()
    yield
    if not enabled:
        gc.disable()


def test_a_check_holds_the_collector_off_and_lets_it_run_again(admin_user, collecting, monkeypatch):
    seen = []
    from imports import engine

    clean_row = engine.Importer.clean_row

    def watched(self, *args):
        seen.append(gc.isenabled())
        return clean_row(self, *args)

    monkeypatch.setattr(engine.Importer, "clean_row", watched)
    rows = [[f"C{3500 + n}", f"回收测试客户{n}", "汽车板客户", "合作中"] for n in range(3)]
    rows.append(["C3599", "回收测试客户坏", "汽车板客户", "未知状态"])

    _importer, result = check(admin_user, xlsx({"客户": [HEADERS, *rows]}))

    assert [(row, column) for _s, row, column, _m in messages(result)] == [(5, "状态")]
    assert seen == [False] * 4
    assert gc.isenabled()


def test_the_collector_runs_again_when_a_check_fails(collecting):
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the file could not be checked")
    assert gc.isenabled()


def test_a_collector_held_off_by_the_caller_stays_off():
    enabled = gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        if enabled:
            gc.enable()
