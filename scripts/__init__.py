"""Developer scripts (benchmarks, chaos, soak, stand-ins, checks); never part of the image.

The ones that import the project or ``tests.support`` run as modules from the repository root
(``python -m scripts.bench_chat``), which puts the root on ``sys.path``; no script edits it.
"""
