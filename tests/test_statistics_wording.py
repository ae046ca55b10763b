"""Statistics pages say so when there is nothing to count, and are titled for what the user sees."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

STATISTICS = [
    "products:statistics",
    "quality:objection-stats",
    "quality:decision-stats",
    "quality:work-stats",
]
# A sentence with a value left out: "利用率 。", "：。", "，，".
HOLE = re.compile(r"[\s：，、]+[。，]")


def main_text(response):
    html = response.content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    text = re.sub(r"<script.*?</script>|<svg.*?</svg>", "", main, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


@pytest.mark.parametrize("name", STATISTICS)
def test_an_empty_archives_statistics_say_there_is_nothing_to_count(login, admin_user, name):
    text = main_text(login(admin_user).get(reverse(name)))
    assert "没有可统计的数据" in text
    assert not HOLE.search(text), HOLE.search(text)


@pytest.mark.parametrize("name", STATISTICS)
def test_a_sales_users_statistics_do_not_claim_the_whole_mill(login, alice, alices_customer, name):
    text = main_text(login(alice).get(reverse(name)))
    assert "全厂" not in text.replace("全厂唯一", "") and "所有客户" not in text


def test_the_supply_statistics_of_everyone_are_titled_for_the_whole_mill(login, engineer):
    assert "供货统计：全厂" in main_text(login(engineer).get(reverse("products:statistics")))


def test_the_supply_statistics_of_a_sales_user_are_titled_for_their_customers(login, alice, alices_customer):
    assert "供货统计：我的客户" in main_text(login(alice).get(reverse("products:statistics")))
