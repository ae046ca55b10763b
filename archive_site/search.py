"""Chinese substring search that stays fast for one- and two-character terms.

pg_trgm cannot serve `LIKE '%辊印%'`: a two-character term has no trigram. We
index every row's characters and character pairs instead, each as a number
(`archive_gram_codes`, a SQL function created by migration archive_site 0016;
`gram_code`) in a GIN index; a search asks for rows whose grams contain all the
term's pairs, and rechecks the few candidates with ILIKE. See `gram_index` for
declaring the index on a model.

The gram index pays off for rare terms only. A common one (划伤 is in a quarter
of 500 000 objections) makes it hand over every match, which the list then
counts and sorts in full (340–365 ms for one page), while walking the list's
own order index with the substring filter finds a page of matches after a few
hundred rows. `gram_search` decides by the term's share of rows, read from the
statistics ANALYZE keeps on the gram index's expression (`gram_shares`), the
same way for a salesman scoped to his customers as for everyone: a rare term's
few rows are read from the gram index exactly, without computing the grams of
any row (a common term's bitmap would grow lossy and have them computed: that
is why it walks). Lists count matches up to `COUNT_CAP` (`capped_count`,
`pagination.LateRowPaginator`), a salesman's along his customers' index.
"""

import unicodedata

import django_filters
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import connections, models
from django.db.models import Func, Q

# Lists and the header search count matches exactly up to this many, and say "more than" beyond.
COUNT_CAP = 1000
# A term estimated to be in at least this share of the rows (`term_share`) is common: its matches are
# dense enough that walking the list's order finds a page (and the capped count) in a few
# thousand rows — at 1 %, 5 000 rows for page 1 and 100 000 for the capped count — while
# the gram index would hand over all of them to be sorted (1 % of 500 000: 5 000 rows).
COMMON_SHARE = 0.01
# A longer term's share is only estimated from its pairs' (`term_share`), and a structured code
# fools the estimate: part numbers 5001-… were estimated in 1.7 % of a million parts, held by
# 0.14 %, and the parts list walked all of them for its count (342 ms). An estimate between
# COMMON_SHARE and this is checked on SAMPLED_ROWS rows (`sampled_share`): 50 expected matches
# at the line, against 7 for such a code.
CONFIRMED_SHARE = 0.1
SAMPLED_ROWS = 5000

# PL/pgSQL. The first version, a SQL function over generate_series with DISTINCT (kept in
# migration archive_site 0005 to go back to), took 7–8 times as long to index 500 000
# objections as one pass over the characters (kept in migration 0013). This one takes the
# characters without the whitespace in one regexp_replace and the pairs in a loop that
# does nothing else, unless the text holds two whitespace characters in a row (whose pair
# is left out): 1.6–1.8 times faster again, which every objection written pays, an import
# of 20 000 of them 0.25 s less. Duplicates are left in and the order differs from the
# earlier versions': GIN keeps each key once per row and `@>` does not care, so the index
# holds the same keys and needs no rebuild. COST 5000 (migration 0006): computed per row,
# the function is far dearer than PostgreSQL's default guess, and a plan that filtered a
# salesman's 15 000 objections through it took 2.2 s instead of 0.2 s with the gram index.
CREATE_FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION archive_grams(VARIADIC parts text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 5000 AS $$
DECLARE
  p text;
  chars text[];
  c text;
  prev text;
  space boolean;
  prev_space boolean;
  grams text[] := '{}';
BEGIN
  FOREACH p IN ARRAY parts LOOP
    CONTINUE WHEN p IS NULL OR p = '';
    p := lower(normalize(p, NFKC));
    chars := string_to_array(p, NULL);
    IF p !~ '\s\s' THEN
      grams := grams || string_to_array(regexp_replace(p, '\s', '', 'g'), NULL);
      FOR i IN 1 .. cardinality(chars) - 1 LOOP
        grams := grams || (chars[i] || chars[i + 1]);
      END LOOP;
      CONTINUE;
    END IF;
    prev := NULL;
    FOREACH c IN ARRAY chars LOOP
      space := c ~ '^\s$';
      IF NOT space THEN
        grams := grams || c;
      END IF;
      IF prev IS NOT NULL AND NOT (space AND prev_space) THEN
        grams := grams || (prev || c);
      END IF;
      prev := c;
      prev_space := space;
    END LOOP;
  END LOOP;
  RETURN grams;
END
$$;
"""
DROP_FUNCTION_SQL = "DROP FUNCTION IF EXISTS archive_grams(VARIADIC text[]);"

# The gram indexes hold archive_grams' keys as numbers (`gram_code`): GIN orders its keys to
# find them, and text keys are compared by the database's collation (C.UTF-8 under libc:
# strcoll on a copy of both), numbers by one machine comparison. 20 000 objections' grams
# went into a GIN index in 1.45 s as text, 0.68 s as numbers (bench/gram_keys.py). The same
# loops as archive_grams, taking each character's code point; archive_grams and `Grams`
# stay for the migrations that built the text indexes.
CREATE_CODES_FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION archive_gram_codes(VARIADIC parts text[]) RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 5000 AS $$
DECLARE
  p text;
  chars text[];
  c text;
  prev bigint;
  cur bigint;
  space boolean;
  prev_space boolean;
  codes bigint[] := '{}';
BEGIN
  FOREACH p IN ARRAY parts LOOP
    CONTINUE WHEN p IS NULL OR p = '';
    p := lower(normalize(p, NFKC));
    chars := string_to_array(p, NULL);
    IF p !~ '\s' THEN
      prev := ascii(chars[1]);
      codes := codes || prev;
      FOR i IN 2 .. cardinality(chars) LOOP
        cur := ascii(chars[i]);
        codes := codes || cur || (prev << 21 | cur);
        prev := cur;
      END LOOP;
      CONTINUE;
    END IF;
    IF p !~ '\s\s' THEN
      FOREACH c IN ARRAY string_to_array(regexp_replace(p, '\s', '', 'g'), NULL) LOOP
        codes := codes || ascii(c)::bigint;
      END LOOP;
      prev := ascii(chars[1]);
      FOR i IN 2 .. cardinality(chars) LOOP
        cur := ascii(chars[i]);
        codes := codes || (prev << 21 | cur);
        prev := cur;
      END LOOP;
      CONTINUE;
    END IF;
    prev := NULL;
    FOREACH c IN ARRAY chars LOOP
      cur := ascii(c);
      space := c ~ '^\s$';
      IF NOT space THEN
        codes := codes || cur;
      END IF;
      IF prev IS NOT NULL AND NOT (space AND prev_space) THEN
        codes := codes || (prev << 21 | cur);
      END IF;
      prev := cur;
      prev_space := space;
    END LOOP;
  END LOOP;
  RETURN codes;
END
$$;
"""
DROP_CODES_FUNCTION_SQL = "DROP FUNCTION IF EXISTS archive_gram_codes(VARIADIC text[]);"
CODE_BITS = 21  # a code point's bits: U+10FFFF is the last


class Grams(Func):
    """archive_grams(field, ...): the characters and character pairs of the fields."""

    function = "archive_grams"
    output_field = ArrayField(models.TextField())


class GramCodes(Func):
    """archive_gram_codes(field, ...): the fields' grams (`Grams`) as numbers (`gram_code`)."""

    function = "archive_gram_codes"
    output_field = ArrayField(models.BigIntegerField())


def gram_code(gram):
    """A character's code point; a pair's first code point shifted past the last and its second's."""
    code = 0
    for c in gram:
        code = code << CODE_BITS | ord(c)
    return code


def gram_of(code):
    """The gram `gram_code` gave `code`."""
    if code >> CODE_BITS:
        return chr(code >> CODE_BITS) + chr(code & ((1 << CODE_BITS) - 1))
    return chr(code)


def gram_index(*fields, name):
    """The GIN index that serves `gram_search` over these fields."""
    return GinIndex(GramCodes(*fields), name=name)


def normalize(term):
    return unicodedata.normalize("NFKC", term or "").strip().lower()


def query_grams(term):
    """The grams every matching row must contain: the term's character pairs."""
    chars = [c for c in normalize(term)]
    if len(chars) == 1:
        return chars
    return sorted({a + b for a, b in zip(chars, chars[1:], strict=False) if not (a + b).isspace()})


def substring_q(term, fields):
    """Any of `fields` contains `term` (case-insensitive): what every search finally checks.

    A term without cased letters (划伤, 0.8, GB/T) is looked up with LIKE rather than
    Django's UPPER(field) LIKE: the same rows — case mapping turns a letter into a letter
    and leaves every other character alone — without upper-casing every row's texts,
    which made the check ten times dearer (~10 µs a row for an objection's four texts)."""
    lookup = "contains" if term.upper() == term.lower() else "icontains"
    match = Q()
    for field in fields:
        match |= Q(**{f"{field}__{lookup}": term})
    return match


def gram_index_name(model, fields):
    """The name of `model`'s gram index over exactly `fields`, or None."""
    wanted = GramCodes(*fields)
    for index in model._meta.indexes:
        if isinstance(index, GinIndex) and index.expressions and index.expressions[0] == wanted:
            return index.name
    return None


def gram_shares(index_name, using="default"):
    """{gram: share of rows holding it} for the grams ANALYZE found most common in the index's
    expression (PostgreSQL keeps element statistics of an expression index under its name;
    about 1 000 grams at the default statistics target). Empty before the first ANALYZE."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::bigint[], most_common_elem_freqs FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = %s",
            [index_name],
        )
        row = cursor.fetchone()
    if not row or not row[0]:
        return {}
    # The frequencies end with min, max, nulls.
    return dict(zip(map(gram_of, row[0]), row[1], strict=False))


class SubstringFilter(django_filters.CharFilter):
    """A list's filter for text containing the value, as every search matches it (`substring_q`),
    in `field_name` or in any of `fields`. Django's icontains wraps the column in UPPER(), which
    hides the column's statistics from PostgreSQL: the demand list filtered by 车门 (a fifth of
    600 000 demands) was planned as a rare match, the whole table read and sorted (166 ms)
    instead of its order index walked for the first page (1 ms)."""

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = fields

    def filter(self, qs, value):
        value = (value or "").strip()
        return qs.filter(substring_q(value, self.fields or [self.field_name])) if value else qs


def is_common(queryset, term, fields):
    """Whether at least COMMON_SHARE of the rows are estimated to hold `term` (`term_share`; one
    query), the estimate of a term longer than a pair confirmed on a sample of the rows
    (`sampled_share`; one more query) when it is near the line.

    Fields reached through one relation (`customer__name`, `customer__code`, …) are asked about
    the related model's own gram index and rows (`indexed_fields`): how common a word is in
    customers' names is what decides whether their gram index narrows them.

    Unknown (no statistics yet, no gram index): not common, the gram index is used as before."""
    model, fields = indexed_fields(queryset.model, fields)
    index = gram_index_name(model, fields)
    if index is None:
        return False
    shares = gram_shares(index, queryset.db)
    if not shares:
        return False
    share = term_share(term, shares)
    if COMMON_SHARE <= share < CONFIRMED_SHARE and len(normalize(term)) > 2:
        share = sampled_share(model, substring_q(term, fields), queryset.db)
    return share >= COMMON_SHARE


def indexed_fields(model, fields):
    """(model, fields): the model whose table holds `fields`, and their names there. `model`'s own
    fields, or, when every one of them goes through the same relation (`customer__name`,
    `demand__customer__code`), the related model and the fields' names on it."""
    paths = {field.rpartition("__")[0] for field in fields}
    if len(paths) != 1 or not (path := paths.pop()):
        return model, tuple(fields)
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model, tuple(field.rpartition("__")[2] for field in fields)


def term_share(term, shares):
    """The share of rows estimated to hold `term`, from `shares` ({gram: share}, `gram_shares`):
    its first pair's share, times each next pair's share among the rows holding the character
    the two pairs have in common — P(ab)·P(bc)/P(b)·P(cd)/P(c)… A gram missing from the
    statistics is rarer than all those listed (share 0).

    Each pair's own share was not enough: in a code every pair of digits is common, and the
    demand code 66609, held by one demand in 60 000, was taken for common (its rarest pair in
    4.6 % of them) and searched by reading every demand (282 ms at 5 million objections)."""
    chars = list(normalize(term))
    if len(chars) == 1:
        return shares.get(chars[0], 0)
    share = None
    for a, b in zip(chars, chars[1:], strict=False):
        if (a + b).isspace():
            continue
        pair = shares.get(a + b, 0)
        given = 0 if a.isspace() else shares.get(a, 0)
        if share is None:
            share = pair
        elif given:
            share *= min(1.0, pair / given)
        else:
            share *= pair
    return share or 0


def sampled_share(model, match, using="default", rows=None):
    """The share of `rows` (SAMPLED_ROWS) of `model`'s table, drawn block by block
    (TABLESAMPLE SYSTEM, the same blocks each time), that `match` (a Q) holds. All the rows
    of a table no larger than that."""
    query = model._base_manager.using(using).filter(match).query
    compiler = query.get_compiler(using)
    where, params = compiler.compile(query.where)
    table = compiler.quote_name_unless_alias(model._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE {where}), count(*) FROM {table} "  # noqa: S608
            f"TABLESAMPLE SYSTEM ((SELECT LEAST(100, 100.0 * %s / GREATEST(reltuples, 1)) "
            f"FROM pg_class WHERE oid = %s::regclass)) REPEATABLE (0)",
            [*params, rows or SAMPLED_ROWS, model._meta.db_table],
        )
        held, seen = cursor.fetchone()
    return held / seen if seen else 0


def gram_search(queryset, term, fields, decide=True):
    """Rows where any of `fields` contains `term` as a substring (case-insensitive).

    The gram index narrows the rows only for a rare term: not when the term is common
    (`is_common`). `decide=False` keeps the gram index without reading the statistics (a
    pop-up's first 20 rows)."""
    typed, term = (term or "").strip(), normalize(term)
    if not term:
        return queryset
    # The rows are those of a plain icontains of the term as typed; the grams, NFKC-folded
    # like the index, only narrow the rows to check.
    match = substring_q(typed, fields)
    if decide and is_common(queryset, term, fields):
        return queryset.filter(match)
    codes = [gram_code(gram) for gram in query_grams(term)]
    return queryset.alias(_grams=GramCodes(*fields)).filter(_grams__contains=codes).filter(match)


def capped_count(queryset, cap=None):
    """(count, more): the exact number of rows up to `cap` (COUNT_CAP), and whether there are more.

    One query that stops at the cap+1st row, in any order, or in the order the queryset asks
    a count to walk (`VisibleQuerySet.counted_along`; not for DISTINCT rows, which may only be
    ordered by what they select)."""
    cap = cap or COUNT_CAP
    walk = () if queryset.query.distinct else getattr(queryset, "_count_order", ())
    n = queryset.order_by(*walk).values("pk")[: cap + 1].count()
    return min(n, cap), n > cap
