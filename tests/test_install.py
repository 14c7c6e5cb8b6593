"""Installing as a new user does, from a fresh copy of the project and the package registry
(pip): the README's first command (not root, no apt-get on PATH), and a plain `pip install` with
the pip a fresh Python brings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

ROOT_ONLY = {"apt", "apt-get", "apt-cache", "dpkg", "sudo", "su"}


def first_command() -> str:
    readme = (ROOT / "README.md").read_text("utf-8").splitlines()
    line = readme[3]  # the first line of the first code block
    command = line.split("#", 1)[0].strip()
    assert command == "bash scripts/install.sh && .venv/bin/warcproof demo"
    return command


def path_without_apt(bin_dir: Path) -> str:
    """A PATH of the system's tools less the package managers and the ways to become root."""
    bin_dir.mkdir()
    for folder in ("/usr/local/bin", "/usr/bin", "/bin"):
        for tool in Path(folder).iterdir():
            target = bin_dir / tool.name
            if tool.name not in ROOT_ONLY and not target.exists():
                target.symlink_to(tool)
    python = bin_dir / "python3"
    python.unlink()
    python.symlink_to("/usr/bin/python3")  # pyenv's lies under /root, which others cannot read
    return str(bin_dir)


@pytest.mark.crawl
@pytest.mark.external
@pytest.mark.skipif(shutil.which("runuser") is None, reason="needs runuser (util-linux)")
def test_the_readme_first_command_needs_no_root_and_no_apt() -> None:
    if os.geteuid() != 0:
        pytest.skip("becoming another user needs root")
    # Not under pytest's tmp folder: that one is private to root.
    tmp_path = Path(tempfile.mkdtemp(prefix="warcproof-install-"))
    try:
        install_as_nobody(tmp_path)
    finally:
        shutil.rmtree(tmp_path)


def clean_copy(project: Path) -> None:
    """The project's tracked files, nothing built or installed."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for name in tracked:
        if (ROOT / name).is_file():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, project / name)


def install_as_nobody(tmp_path: Path) -> None:
    project = tmp_path / "warcproof"
    clean_copy(project)
    home = tmp_path / "home"
    home.mkdir()
    path = path_without_apt(tmp_path / "bin")
    subprocess.run(["chown", "-R", "nobody", str(tmp_path)], check=True)
    tmp_path.chmod(0o755)
    ran = subprocess.run(
        [
            "runuser",
            "-u",
            "nobody",
            "--",
            "/usr/bin/env",
            "-i",
            f"HOME={home}",
            f"PATH={path}",
            "bash",
            "-c",
            first_command(),
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert "5 seed(s): 4 faithful, 1 unverifiable" in ran.stdout
    assert (project / "collection" / "ledger.sqlite").owner() == "nobody"


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
