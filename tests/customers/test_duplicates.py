"""Likely duplicate customers: each listed variant of a name, short name or credit code is found;
distinct real companies are not taken for one another; the form and the import warn, showing only
the candidates the user may see."""

import pytest
from django.urls import reverse

from customers.duplicates import Index, name_key
from customers.models import Customer
from imports.models import ImportRun
from imports.tasks import _preview, check_import
from tests.factories import make_customer
from tests.imports.helpers import CUSTOMER_HEADERS, check, upload, xlsx

pytestmark = pytest.mark.django_db

# Distinct companies a cold-rolling mill sells to (and a few it competes with), by their full names.
REAL_COMPANIES = [
    ("中国第一汽车股份有限公司", "一汽"),
    ("一汽解放汽车有限公司", "一汽解放"),
    ("一汽-大众汽车有限公司", "一汽大众"),
    ("上汽大众汽车有限公司", "上汽大众"),
    ("上汽通用汽车有限公司", "上汽通用"),
    ("上海汽车集团股份有限公司", "上汽集团"),
    ("东风汽车集团有限公司", "东风集团"),
    ("东风汽车有限公司", "东风有限"),
    ("神龙汽车有限公司", "神龙"),
    ("重庆长安汽车股份有限公司", "长安"),
    ("长安福特汽车有限公司", "长安福特"),
    ("长城汽车股份有限公司", "长城"),
    ("比亚迪股份有限公司", "比亚迪"),
    ("浙江吉利控股集团有限公司", "吉利"),
    ("奇瑞汽车股份有限公司", "奇瑞"),
    ("安徽江淮汽车集团股份有限公司", "江淮"),
    ("北汽福田汽车股份有限公司", "福田"),
    ("北京汽车股份有限公司", "北汽股份"),
    ("北京奔驰汽车有限公司", "北京奔驰"),
    ("华晨宝马汽车有限公司", "华晨宝马"),
    ("广汽本田汽车有限公司", "广汽本田"),
    ("广汽丰田汽车有限公司", "广汽丰田"),
    ("广州汽车集团股份有限公司", "广汽集团"),
    ("江铃汽车股份有限公司", "江铃"),
    ("陕西汽车控股集团有限公司", "陕汽"),
    ("中国重型汽车集团有限公司", "中国重汽"),
    ("宇通客车股份有限公司", "宇通"),
    ("厦门金龙联合汽车工业有限公司", "金龙"),
    ("潍柴动力股份有限公司", "潍柴"),
    ("广西玉柴机器股份有限公司", "玉柴"),
    ("三一重工股份有限公司", "三一"),
    ("徐工集团工程机械股份有限公司", "徐工"),
    ("中联重科股份有限公司", "中联重科"),
    ("海尔智家股份有限公司", "海尔智家"),
    ("青岛海尔股份有限公司", "海尔"),
    ("海信家电集团股份有限公司", "海信家电"),
    ("青岛海信电器股份有限公司", "海信电器"),
    ("美的集团股份有限公司", "美的"),
    ("珠海格力电器股份有限公司", "格力"),
    ("TCL科技集团股份有限公司", "TCL科技"),
    ("TCL家用电器（合肥）有限公司", "TCL家电"),
    ("四川长虹电器股份有限公司", "长虹"),
    ("广东格兰仕集团有限公司", "格兰仕"),
    ("奥克斯集团有限公司", "奥克斯"),
    ("无锡小天鹅电器有限公司", "小天鹅"),
    ("宁波方太厨具有限公司", "方太"),
    ("浙江苏泊尔股份有限公司", "苏泊尔"),
    ("上海宝钢包装股份有限公司", "宝钢包装"),
    ("奥瑞金科技股份有限公司", "奥瑞金"),
    ("中粮包装控股有限公司", "中粮包装"),
    ("中国国际海运集装箱（集团）股份有限公司", "中集"),
    ("福耀玻璃工业集团股份有限公司", "福耀"),
    ("宝山钢铁股份有限公司", "宝钢股份"),
    ("北京首钢股份有限公司", "首钢股份"),
    ("鞍钢股份有限公司", "鞍钢"),
    ("马鞍山钢铁股份有限公司", "马钢"),
    ("本钢板材股份有限公司", "本钢板材"),
    ("河钢股份有限公司", "河钢"),
]

CREDIT_CODE = "91370200163562681G"


@pytest.fixture
def haier(alice):
    return make_customer(
        code="C0005",
        name="青岛海尔股份有限公司",
        short_name="海尔",
        credit_code=CREDIT_CODE,
        sales_owner=alice,
    )


@pytest.mark.parametrize(
    "variant, reason",
    [
        ({"name": "海尔青岛股份有限公司"}, "客户名称"),  # the same characters in another order
        ({"name": "青岛海尔股份有限责任公司"}, "客户名称"),  # 有限责任公司 for 有限公司
        ({"name": "青岛海尔股份有限公司 "}, "客户名称"),  # a trailing space
        ({"name": "（青岛）海尔股份有限公司"}, "客户名称"),  # punctuation
        ({"name": "青岛海尔　股份有限公司"}, "客户名称"),  # a full-width space
        ({"short_name": "尔海"}, "简称"),
        ({"credit_code": CREDIT_CODE.lower()}, "统一社会信用代码"),  # only the case differs
        ({"credit_code": "９１３７０２００１６３５６２６８１Ｇ"}, "统一社会信用代码"),  # full-width
    ],
)
def test_each_listed_variant_is_found(haier, variant, reason):
    (candidate,) = Index(Customer.objects.all()).similar(**variant)
    assert candidate.customer == haier and [str(r) for r in candidate.reasons] == [reason]


def test_full_width_letters_and_brackets_are_read_as_half_width():
    assert name_key("ＴＣＬ家用电器（合肥）有限公司") == name_key("TCL家用电器(合肥)有限公司")
    assert name_key("tcl家用电器(合肥)有限责任公司") == name_key("TCL家用电器（合肥）有限公司")


def test_no_false_positive_among_distinct_real_companies():
    for n, (name, short) in enumerate(REAL_COMPANIES):
        make_customer(code=f"R{n:03d}", name=name, short_name=short)
    index = Index(Customer.objects.all())
    for customer in Customer.objects.all():
        found = index.similar(name=customer.name, short_name=customer.short_name, exclude=customer.pk)
        assert found == [], (customer.name, [c.customer.name for c in found])


def customer_form(**changes):
    return {
        "code": "C7001",
        "name": "青岛海尔股份有限责任公司",
        "category": Customer._meta.get_field("category")
        .related_model.objects.get(kind="customer_category", code="AUTO")
        .pk,
        "status": "active",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        **changes,
    }


def test_creating_a_likely_duplicate_warns_and_saves_once_confirmed(login, alice, haier):
    client = login(alice)
    response = client.post(reverse("customers:customer-create"), customer_form())
    assert response.status_code == 200 and not Customer.objects.filter(code="C7001").exists()
    assert [c.customer for c in response.context["form"].duplicates] == [haier]
    html = response.content.decode()
    assert "可能重复的客户" in html and haier.get_absolute_url() in html and 'name="not_a_duplicate"' in html
    response = client.post(reverse("customers:customer-create"), customer_form(not_a_duplicate="on"))
    assert response.status_code == 302 and Customer.objects.filter(code="C7001").exists()


def test_the_warning_shows_only_customers_the_user_may_see(login, alice, bobs_customer):
    response = login(alice).post(
        reverse("customers:customer-create"), customer_form(name="福田北汽汽车股份有限公司")
    )
    assert response.status_code == 302  # bob's customer is not hers to see: no candidate to show
    assert "北汽福田" not in response.content.decode()


def test_editing_without_changing_the_name_does_not_ask_again(login, alice, haier):
    twin = make_customer(code="C0006", name="海尔青岛股份有限公司", sales_owner=alice)
    data = customer_form(
        code=twin.code, name=twin.name, region="青岛", sales_owner=alice.pk, version=twin.version
    )
    response = login(alice).post(reverse("customers:customer-edit", args=[twin.pk]), data)
    assert response.status_code == 302


def test_an_import_points_out_likely_duplicates_without_refusing_them(alice, haier, bobs_customer):
    rows = [
        CUSTOMER_HEADERS,
        ["C7001", "青岛海尔股份有限责任公司", "汽车板客户", "合作中", "", ""],
        ["C7002", "福田北汽汽车股份有限公司", "汽车板客户", "合作中", "", ""],  # bob's: not shown to alice
        ["C7003", "安徽江淮汽车集团股份有限公司", "汽车板客户", "合作中", "", ""],
    ]
    _importer, result = check(alice, xlsx({"客户": rows}))
    assert result.ok
    warnings = {r.number: r.warnings for r in result.sheets[0].rows}
    assert warnings[3] == []
    assert warnings[4] == []
    ((column, message),) = warnings[2]
    assert column == "客户名称" and "C0005 青岛海尔股份有限公司（客户名称相近）" in message
    preview = _preview(result)["sheets"][0]
    assert preview["warned"] == 1 and preview["rows"][0]["warnings"] == warnings[2]


def test_the_import_preview_shows_the_warning_beside_the_row(login, alice, haier):

    client = login(alice)
    rows = [CUSTOMER_HEADERS, ["C7001", "海尔青岛股份有限公司", "汽车板客户", "合作中", "", ""]]
    client.post(reverse("imports:upload", args=["customers"]), {"file": upload(xlsx({"客户": rows}))})
    run = ImportRun.objects.latest("id")
    check_import.call(run.pk)
    html = client.get(run.get_absolute_url()).content.decode()
    assert "1 行有提示" in html
    assert "可能与已有客户重复：C0005 青岛海尔股份有限公司（客户名称相近）" in html
    assert "确认导入" in html  # a warning refuses nothing
