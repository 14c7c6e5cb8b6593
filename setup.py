"""For scrapyd-deploy, which builds the egg it uploads with `python setup.py bdist_egg` (and
writes a setup.py of its own, listing every package, when none exists). Everything is declared
in pyproject.toml."""

from setuptools import setup

setup()
