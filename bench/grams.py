"""archive_gram_codes, the function every objection written runs for the gram index: this
version (the keys as numbers) against the one before it (archive_grams, the same keys as text),
on the archive's texts.

    python -m bench.grams                     # DATABASE_URL from the environment (make bench)
    BENCH_GRAM_ROWS=20000 python -m bench.grams
    BENCH_GRAM_ANY_ARCHIVE=1 python -m bench.grams    # on the objections DATABASE_URL holds, not generated

Computes the grams of the first BENCH_GRAM_ROWS objections' four searched texts (description,
cause, solution, preventive measures) with each version in turn, five rounds alternated, the
first not counted; then the same texts four times as long (a real objection's texts are longer
than the generator's). Prints the median per row and the ratio, and checks both versions gave
the same number of keys. What the index then does with the keys is bench/gram_keys.py's.
"""

import os
import statistics
import time

from bench.common import compared, ensure_archive, load, setup_django, table

ROWS = int(os.environ.get("BENCH_GRAM_ROWS", 50_000))
ROUNDS = 5


def main():
    setup_django()
    if not os.environ.get("BENCH_GRAM_ANY_ARCHIVE"):
        ensure_archive()
    from django.db import connection

    fields = "description, cause, solution, preventive"
    longer = ", ".join(f"repeat({f}, 4)" for f in fields.split(", "))
    print(f"archive_gram_codes against archive_grams over {ROWS:,} objections' texts; {load()}")
    rows = []
    with connection.cursor() as cursor:
        for label, texts in (("as generated", fields), ("four times as long", longer)):
            sample = "(SELECT * FROM quality_objection ORDER BY id LIMIT %s) o"
            cursor.execute(f"SELECT avg(char_length(concat_ws('', {texts}))) FROM {sample}", [ROWS])
            length = cursor.fetchone()[0]
            times = {"previous": [], "now": []}
            keys = {}
            for round_ in range(ROUNDS + 1):
                for name, function in (("previous", "archive_grams"), ("now", "archive_gram_codes")):
                    started = time.perf_counter()
                    cursor.execute(
                        f"SELECT sum(cardinality({function}({texts}))), count(*) FROM {sample}",
                        [ROWS],
                    )
                    keys[name], count = cursor.fetchone()
                    if round_:
                        times[name].append((time.perf_counter() - started) / count * 1e6)
            assert keys["previous"] == keys["now"], keys
            before, now = statistics.median(times["previous"]), statistics.median(times["now"])
            rows.append(
                [f"{label} ({length:.0f} characters)", f"{before:.1f}", f"{now:.1f}", compared(before, now)]
            )
    print(table(["texts", "previous µs/row", "now µs/row", "ratio"], rows))


if __name__ == "__main__":
    main()
