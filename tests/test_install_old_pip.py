"""A plain `pip install` of a fresh copy of the project with the pip a fresh Python brings (not
upgraded), from the package registry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import clean_copy


@pytest.mark.slow
def test_pip_install_with_the_pip_a_fresh_python_brings(tmp_path: Path) -> None:
    """No pip upgrade first: pip 23 neither normalises extra names (jusText asks for
    `lxml[html_clean]`, readability-lxml for `lxml[html-clean]`) nor, without the project's own
    spelling, resolves the two together. The package is installed; the dev extra, as
    contributors install it, is resolved (a dry run: installing it all would double the time)."""
    project = tmp_path / "warcproof"
    clean_copy(project)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=600)
    python = str(venv / "bin" / "python")

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        ran = subprocess.run(
            command, capture_output=True, text=True, timeout=3600, check=False, cwd=tmp_path
        )
        assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
        return ran

    run(python, "-m", "pip", "install", "--no-input", str(project))
    run(python, "-m", "pip", "install", "--no-input", "--dry-run", f"{project}[dev]")
    version = run(str(venv / "bin" / "warcproof"), "--version")
    assert version.stdout.startswith("warcproof "), version.stdout
    # What jusText imports (lxml.html.clean), then an extraction of a replica page.
    page = project / "replica" / "pages" / "002_gulftimes.html"
    extracted = run(
        python,
        "-c",
        "import sys, justext; from provenance.text.extract import extract_article; "
        "article = extract_article(open(sys.argv[1], 'rb').read(), url='http://x.test/', "
        "content_type='text/html'); print(len(article.text))",
        str(page),
    )
    assert int(extracted.stdout) > 500, extracted.stdout
