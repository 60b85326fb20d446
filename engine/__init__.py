"""Một Cửa engine: the domain, its workflow runtime and its use cases.

Nothing in this package imports Flask; the web layer calls the services here
and maps their domain errors onto HTTP answers.
"""
