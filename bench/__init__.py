"""Benchmarks: page weight (compressed bytes of pages, fragments and scripted journeys, JS on
and off) and load (req/s, p50/p99 against a bare Starlette + Jinja2 page). ``make bench``."""
