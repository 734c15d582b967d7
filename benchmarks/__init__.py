"""Benchmarks and their tooling, kept out of the product: the synthetic corpus
(`generate_corpus`), the search benchmark's corpus grown by copying, the baseline settings
and URL for scripts/benchmark_web, and the helpers the scripts share (free ports, child
processes, PostgreSQL databases made and dropped, timings).

Nothing in `inspections` or `explorer` imports this package (an import-linter contract in
pyproject.toml holds it). Its one management command, `generate_corpus`, is there when
this package is an installed app: under `benchmarks.settings` and the test settings.
"""
