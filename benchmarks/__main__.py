"""``python -m benchmarks``: run the benchmarks, print a table per case, optionally
write every figure and the machine to a JSON file.

The thread count is applied before NumPy is imported (threadpoolctl when installed,
else the environment variables), so this module imports NumPy only inside ``main``."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from dataclasses import asdict

from .threads import limit_threads, set_thread_variables

__all__ = ["main", "BENCHMARKS"]

# command-line name -> module
BENCHMARKS = {"mlp": "mlp", "per-op": "per_op", "deep": "deep", "vae": "vae",
              "moons": "moons", "fit": "fit", "gc": "collector", "lstm": "lstm",
              "cnn": "cnn", "transformer": "transformer"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time the engine against hand-written NumPy and PyTorch CPU: "
                    "interleaved rounds after a warm-up and a correctness check; "
                    "median, min, max and the median ratio to NumPy.")
    parser.add_argument("--quick", action="store_true",
                        help="small workloads and few rounds (proves the harness works)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help=f"run only these (repeat or comma-separate): "
                             f"{', '.join(BENCHMARKS)}")
    parser.add_argument("--json", metavar="FILE", help="write the figures and the machine")
    parser.add_argument("--threads", type=int, default=1, metavar="N",
                        help="BLAS / OpenMP / PyTorch threads (default 1)")
    parser.add_argument("--rounds", type=int, help="timed rounds per case "
                        "(default 31, 3 with --quick)")
    parser.add_argument("--clock", choices=("cpu", "wall"),
                        help="what a time is: this process's CPU time (the default with "
                             "one thread: steady on a shared machine) or wall time (the "
                             "default with several threads)")
    parser.add_argument("--no-torch", action="store_true",
                        help="leave PyTorch out even when it is installed")
    args = parser.parse_args(argv)
    names = [n for item in (args.only or list(BENCHMARKS)) for n in item.split(",") if n]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from "
                     f"{', '.join(BENCHMARKS)}")
    if args.threads < 1:
        parser.error(f"--threads must be at least 1; got {args.threads}")
    args.names = names
    return args


def main(argv: list[str] | None = None) -> list:
    """Run the chosen benchmarks; return their cases (harness.Case)."""
    args = parse_args(argv)
    thread_note = set_thread_variables(args.threads)  # before NumPy, for this process
    from . import harness, machine                      # noqa: E402  (imports NumPy)

    clock = args.clock or ("cpu" if args.threads == 1 else "wall")
    settings = harness.Settings(clock=clock, threads=args.threads, quick=args.quick,
                                torch=not args.no_torch)
    if args.quick:
        settings.rounds, settings.warmup, settings.block = 3, 1, 2
    if args.rounds:
        settings.rounds = args.rounds
    command = "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:])
    print(f"{command.strip()}\n{machine.summary(machine.describe())}\n"
          f"{args.threads} thread(s), {clock} time")
    if thread_note:
        print(f"note: {thread_note}")
    cases = []
    started = time.perf_counter()
    with limit_threads(args.threads):
        for name in args.names:
            module = importlib.import_module(f".{BENCHMARKS[name]}", __package__)
            for case in module.run(settings):
                print(harness.format_case(case), flush=True)
                cases.append(case)
    print(f"\n{len(cases)} cases in {time.perf_counter() - started:.0f} s")
    if args.json:
        with limit_threads(args.threads):
            info = machine.describe()  # inside the limits: the thread count in use
        record = {"command": command.strip(), "machine": info,
                  "settings": asdict(settings), "cases": [asdict(c) for c in cases]}
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(record, out, indent=1)
        print(f"wrote {args.json}")
    return cases


if __name__ == "__main__":
    main()
