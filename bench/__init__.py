"""warcproof's benchmark harness (not an installed package): `python bench/run.py`."""
