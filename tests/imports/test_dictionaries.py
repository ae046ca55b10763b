from archive_site.models import DictEntry, DictKind
from tests.imports.helpers import messages, run, xlsx

HEADERS = ["类别", "代码", "中文名称", "英文名称", "排序", "启用"]


def test_entries_are_created_and_updated_by_kind_and_code(admin_user):
    content = xlsx(
        {
            "基础数据": [
                HEADERS,
                ["涂油类型", "LIGHT", "轻涂油", "Light oil", "", ""],
                ["oil_type", "ANTIRUST", "防锈油", "Anti-rust oil (new)", 10, "是"],
                ["Packaging", "CRATE", "木箱包装", "", "５", "否"],
            ]
        }
    )

    result = run(admin_user, content, "基础数据.xlsx", "dictionaries")

    assert messages(result) == []
    assert result.counts() == {"new": 2, "update": 1, "unchanged": 0, "error": 0}
    light = DictEntry.objects.get(kind=DictKind.OIL_TYPE, code="LIGHT")
    last = DictEntry.objects.of(DictKind.OIL_TYPE).exclude(code="LIGHT").order_by("-sort_order").first()
    assert light.sort_order == last.sort_order + 10 and light.is_active  # after the kind's last entry
    assert DictEntry.objects.get(kind=DictKind.OIL_TYPE, code="ANTIRUST").name_en == "Anti-rust oil (new)"
    crate = DictEntry.objects.get(kind=DictKind.PACKAGING, code="CRATE")
    assert (crate.sort_order, crate.is_active) == (5, False)


def test_a_name_already_used_in_the_kind_and_an_unknown_kind_are_errors(admin_user):
    before = DictEntry.objects.count()
    content = xlsx(
        {
            "基础数据": [
                HEADERS,
                ["涂油类型", "ANTIRUST9", "防锈油", "", "", ""],
                ["不存在的类别", "X", "某物", "", "", ""],
                ["涂油类型", "DRY2", "干板", "", "", "也许"],
            ]
        }
    )

    result = run(admin_user, content, "基础数据.xlsx", "dictionaries")

    assert [(r, c) for _s, r, c, _m in messages(result)] == [(2, "中文名称"), (3, "类别"), (4, "启用")]
    assert "已被“涂油类型 ANTIRUST 防锈油”使用" in messages(result)[0][3]
    assert DictEntry.objects.count() == before


def test_a_retired_entry_cannot_be_chosen_for_a_new_customer(admin_user):
    DictEntry.objects.filter(kind=DictKind.CUSTOMER_CATEGORY, code="OTHER").update(is_active=False)
    content = xlsx({"客户": [["客户代码", "客户名称", "客户类别"], ["C8001", "某有限公司", "其他"]]})

    result = run(admin_user, content)

    assert messages(result) == [("客户", 2, "客户类别", "“其他”已停用，不能再选用。")]
