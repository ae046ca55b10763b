"""archive_grams and archive_gram_codes (the gram index behind Chinese substring search) and gram_search."""

import importlib
import random

import pytest
from django.db import connection

from archive_site.search import gram_code, gram_of
from customers.models import Customer
from tests.factories import make_customer

faster = importlib.import_module("archive_site.migrations.0005_faster_archive_grams")
pairs = importlib.import_module("archive_site.migrations.0013_archive_grams_pairs")

SAMPLES = [
    "客户冲压后发现辊印，位于边部，长约 35 mm",
    "平整机工作辊表面粘附异物造成辊印",
    "ＡＢＣ全角 Abc  两个空格\t制表\n换行",
    "",
    "a",
    '{逗号,引号"反斜杠\\}',
    " ",
    "  ",
    "辊 印",
    " 前后有空格 ",
    "全角\u3000\u3000空格与\u00a0不换行\u00a0\u00a0空格",
    "回车\r\n换行\n\n两行",
    "İstanbul ǅ Straße",
    "𠀀𪚥 扩展区汉字 😀\U0010ffff",
]


def grams(function, *parts):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(VARIADIC %s::text[])", [list(parts)])
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.parametrize("migration", [faster, pairs], ids=["first version", "one pass"])
def test_archive_grams_gives_the_keys_of_every_earlier_version(migration):
    """A faster function must index exactly the same keys, or old indexes would lie."""
    previous = migration.PREVIOUS_SQL.replace("FUNCTION archive_grams(", "FUNCTION pg_temp.previous_grams(")
    with connection.cursor() as cursor:
        cursor.execute(previous)
    rng = random.Random(5)
    texts = SAMPLES + ["".join(rng.choices("辊印a A \t\n\u3000", k=rng.randint(1, 12))) for _ in range(200)]
    for a in texts:
        for b in SAMPLES:
            assert set(grams("archive_grams", a, b)) == set(grams("pg_temp.previous_grams", a, b)), (a, b)


@pytest.mark.django_db
def test_archive_grams_skips_missing_parts():
    assert set(grams("archive_grams", None, "辊印")) == {"辊", "辊印", "印"}


@pytest.mark.django_db
def test_archive_gram_codes_are_archive_grams_keys_as_numbers():
    """The numbered index must hold exactly the text index's keys, or a search would miss rows."""
    rng = random.Random(7)
    texts = SAMPLES + ["".join(rng.choices("辊印a A \t\n\u3000𠀀", k=rng.randint(1, 12))) for _ in range(200)]
    for a in texts:
        for b in SAMPLES:
            expected = {gram_code(g) for g in grams("archive_grams", a, b)}
            assert set(grams("archive_gram_codes", a, b)) == expected, (a, b)
    assert set(grams("archive_gram_codes", None, "辊印")) == {gram_code(g) for g in ("辊", "辊印", "印")}


def test_gram_of_reads_back_every_gram_code():
    singles = ["a", "辊", "\u3000", "😀", "\U0010ffff", "\x01"]
    for gram in singles + [a + b for a in singles for b in singles]:
        assert gram_of(gram_code(gram)) == gram
    assert gram_code("\U0010ffff") < gram_code("\x01\x01")  # a pair is never taken for a character


@pytest.mark.django_db
def test_search_finds_one_and_two_character_terms():
    make_customer(name="首钢冷轧汽车板客户有限公司", code="C1")
    make_customer(name="ABC家电有限公司", code="C2")
    assert [c.code for c in Customer.objects.search("冷轧")] == ["C1"]
    assert [c.code for c in Customer.objects.search("轧")] == ["C1"]
    assert [c.code for c in Customer.objects.search("abc")] == ["C2"]
    assert not Customer.objects.search("轧钢").exists()
