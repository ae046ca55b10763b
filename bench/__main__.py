"""`make bench`: run every benchmark module under bench/ and keep their figures.

Each module (bench/<name>.py, run as `python -m bench.<name>`) measures one
thing and its baseline in the same run and prints a table with the ratio.
This runner runs them one after another (or only those named on the command
line; `scaling`, the cost curve up to 5 million objections, only when named)
and writes everything they printed to bench/results/<timestamp>.txt.
"""

import datetime
import pkgutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def modules():
    """The benchmarks: the modules under bench/ that run as a program (`if __name__ == "__main__"`).
    The others are the benchmarks' parts and kept baselines (`common`, `former_import`, …); run
    on their own they measure nothing, and one failed for want of Django's settings. `scaling`
    generates 5 million objections: it runs only when named."""
    found = []
    for module in pkgutil.iter_modules([str(HERE)]):
        if module.ispkg or module.name in ("__main__", "scaling"):
            continue
        if '__name__ == "__main__"' in (HERE / f"{module.name}.py").read_text():
            found.append(module.name)
    return sorted(found)


def main(names):
    names = names or modules()
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_path = HERE / "results" / f"{stamp}.txt"
    out_path.parent.mkdir(exist_ok=True)
    failed = []
    with out_path.open("w") as out:
        for name in names:
            header = f"== bench.{name} =="
            print(header, flush=True)
            out.write(header + "\n")
            proc = subprocess.Popen(
                [sys.executable, "-m", f"bench.{name}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for line in proc.stdout:
                print(line, end="", flush=True)
                out.write(line)
            if proc.wait() != 0:
                failed.append(name)
    print(f"\nFigures written to {out_path.relative_to(HERE.parent)}")
    if failed:
        print("Failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
