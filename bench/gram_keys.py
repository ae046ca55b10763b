"""The gram index's keys as numbers (archive_gram_codes) against the same keys as text
(archive_grams, the index before): what writing objections pays for the index, and what a
search reads from it.

    python -m bench.gram_keys                 # DATABASE_URL from the environment (make bench)
    BENCH_GRAM_KEY_ROWS=20000 BENCH_GRAM_KEY_SEED=100000 python -m bench.gram_keys

Two scratch tables hold the four searched texts (description, cause, solution, preventive
measures) of the archive's first BENCH_GRAM_KEY_SEED objections, each with a GIN index: one
over archive_grams (text keys, compared by the database's collation), one over
archive_gram_codes (numbers). The next BENCH_GRAM_KEY_ROWS objections' texts are then inserted
into each in turn, rolled back after each insert, five rounds after one not counted; and a
rare and a common term are looked up in each, the rows matching counted. Everything is rolled
back at the end. Prints the medians, the ratios, and checks both indexes found the same rows.
"""

import os
import statistics
import time

from bench.common import compared, ensure_archive, load, setup_django, table

ROWS = int(os.environ.get("BENCH_GRAM_KEY_ROWS", 20_000))
SEED = int(os.environ.get("BENCH_GRAM_KEY_SEED", 100_000))
ROUNDS = 5
TERMS = ("锌层脱落", "划伤")
TEXTS = "description, cause, solution, preventive"
KINDS = {"text (before)": "archive_grams", "numbers (now)": "archive_gram_codes"}


def main():
    setup_django()
    ensure_archive()
    from django.db import connection, transaction

    from archive_site.search import gram_code, query_grams

    print(f"gram index keys: {ROWS:,} objections inserted over {SEED:,}; {load()}")
    inserts = {kind: [] for kind in KINDS}
    lookups = {(kind, term): [] for kind in KINDS for term in TERMS}
    found = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(
            f"CREATE TABLE bench_gram_source AS SELECT row_number() OVER (ORDER BY id) AS n, {TEXTS} "  # noqa: S608
            "FROM quality_objection ORDER BY id LIMIT %s",
            [SEED + ROWS],
        )
        for i, function in enumerate(KINDS.values()):
            table_ = f"bench_gram_{i}"
            cursor.execute(f"CREATE TABLE {table_} AS SELECT * FROM bench_gram_source WHERE n <= %s", [SEED])  # noqa: S608
            cursor.execute(f"CREATE INDEX {table_}_index ON {table_} USING gin ({function}({TEXTS}))")
            cursor.execute(f"ANALYZE bench_gram_{i}")
        for round_ in range(ROUNDS + 1):
            for i, kind in enumerate(KINDS):
                cursor.execute("SAVEPOINT bench_insert")
                started = time.perf_counter()
                insert = f"INSERT INTO bench_gram_{i} SELECT * FROM bench_gram_source WHERE n > %s"  # noqa: S608
                cursor.execute(insert, [SEED])
                elapsed = time.perf_counter() - started
                cursor.execute("ROLLBACK TO SAVEPOINT bench_insert")
                if round_:
                    inserts[kind].append(elapsed)
            for i, (kind, function) in enumerate(KINDS.items()):
                for term in TERMS:
                    grams = query_grams(term)
                    keys = [gram_code(g) for g in grams] if function == "archive_gram_codes" else grams
                    cast = "bigint[]" if function == "archive_gram_codes" else "text[]"
                    started = time.perf_counter()
                    cursor.execute(
                        f"SELECT count(*) FROM bench_gram_{i} WHERE {function}({TEXTS}) @> %s::{cast}",  # noqa: S608
                        [keys],
                    )
                    found[kind, term] = cursor.fetchone()[0]
                    if round_:
                        lookups[kind, term].append(time.perf_counter() - started)
        transaction.set_rollback(True)
    for term in TERMS:
        assert len({found[kind, term] for kind in KINDS}) == 1, found
    before, now = KINDS
    rows = []
    b, n = statistics.median(inserts[before]), statistics.median(inserts[now])
    rows.append([f"insert {ROWS:,} rows (s)", f"{b:.2f}", f"{n:.2f}", compared(b, n)])
    for term in TERMS:
        b, n = (statistics.median(lookups[kind, term]) * 1000 for kind in KINDS)
        label = f"rows holding the pairs of {term} ({found[now, term]:,}) (ms)"
        rows.append([label, f"{b:.1f}", f"{n:.1f}", compared(b, n)])
    print(table(["", before, now, "ratio"], rows))


if __name__ == "__main__":
    main()
