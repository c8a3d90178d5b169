"""Benchmarks for mailbot, each against a limit measured on the same run; `python -m bench` runs them."""
