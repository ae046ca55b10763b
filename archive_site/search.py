"""Chinese substring search that stays fast for one- and two-character terms.

pg_trgm cannot serve `LIKE '%辊印%'`: a two-character term has no trigram. We
index every row's characters and character pairs instead (`archive_grams`, a
SQL function created by migrations archive_site 0002 and 0005) in a GIN index; a search
asks for rows whose grams contain all the term's pairs, and rechecks the few
candidates with ILIKE. See `gram_index` for declaring the index on a model.
"""

import unicodedata

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Func, Q

# PL/pgSQL, one pass over the characters: building the index of 500 000
# objections took 7–8 times as long with the first version, a SQL function over
# generate_series with DISTINCT (kept in migration archive_site 0005 to go back
# to). Duplicates are left in: GIN keeps each key once per row and `@>` does not
# care, so the index holds the same keys as before. COST 5000 (migration 0006): computed
# per row, the function is far dearer than PostgreSQL's default guess, and a plan that
# filtered a salesman's 15 000 objections through it took 2.2 s instead of 0.2 s with the
# gram index.
CREATE_FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION archive_grams(VARIADIC parts text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 5000 AS $$
DECLARE
  p text;
  c text;
  prev text;
  space boolean;
  prev_space boolean;
  grams text[] := '{}';
BEGIN
  FOREACH p IN ARRAY parts LOOP
    CONTINUE WHEN p IS NULL OR p = '';
    prev := NULL;
    FOREACH c IN ARRAY regexp_split_to_array(lower(normalize(p, NFKC)), '') LOOP
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


class Grams(Func):
    """archive_grams(field, ...): the characters and character pairs of the fields."""

    function = "archive_grams"
    output_field = ArrayField(models.TextField())


def gram_index(*fields, name):
    """The GIN index that serves `gram_search` over these fields."""
    return GinIndex(Grams(*fields), name=name)


def normalize(term):
    return unicodedata.normalize("NFKC", term or "").strip().lower()


def query_grams(term):
    """The grams every matching row must contain: the term's character pairs."""
    chars = [c for c in normalize(term)]
    if len(chars) == 1:
        return chars
    return sorted({a + b for a, b in zip(chars, chars[1:], strict=False) if not (a + b).isspace()})


def gram_search(queryset, term, fields):
    """Rows where any of `fields` contains `term` as a substring (case-insensitive)."""
    term = normalize(term)
    if not term:
        return queryset
    match = Q()
    for field in fields:
        match |= Q(**{f"{field}__icontains": term})
    return queryset.alias(_grams=Grams(*fields)).filter(_grams__contains=query_grams(term)).filter(match)
