"""Benchmarks. Each ``bench_<area>.py`` has ``main()`` that prints figures with a baseline
measured in the same run: ``<name>: <value> | baseline <name>: <value> | ratio <x>``."""
