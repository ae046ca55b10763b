"""Fill the database with a realistic archive for benchmarks: see devtools/generator.py.

manage.py generate_archive                      # 20 000 customers, 500 000 objections …
manage.py generate_archive --scale 0.01 --seed 7
manage.py generate_archive --flush              # empty the archive tables first
"""

from django.core.management.base import BaseCommand, CommandError

from devtools import generator


class Command(BaseCommand):
    help = "Fill an empty archive with generated customers, demands, plans, objections, photos and parts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="1 = 20 000 customers, 500 000 objections …"
        )
        parser.add_argument(
            "--seed", type=int, default=generator.DEFAULT_SEED, help="same seed, same archive"
        )
        parser.add_argument("--no-photos", action="store_true", help="photo rows and files are left out")
        parser.add_argument(
            "--flush",
            action="store_true",
            help="delete every customer, demand, plan, objection and part first",
        )

    def handle(self, *args, scale, seed, no_photos, flush, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive")
        if flush:
            generator.flush()
            self.stdout.write("archive tables emptied")
        try:
            written = generator.generate(scale=scale, seed=seed, photos=not no_photos, log=self.stdout.write)
        except generator.GeneratorError as e:
            raise CommandError(str(e)) from e
        total = sum(written.values())
        self.stdout.write(
            self.style.SUCCESS(f"{total:,} rows in {len(written)} tables (seed {seed}, scale {scale})")
        )
