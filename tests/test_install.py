"""Installing as a new user does, from a fresh copy of the project and the package registry
(pip): the README's first command (not root, no apt-get on PATH). The plain `pip install` with
the pip a fresh Python brings is in test_install_old_pip.py (a file of its own, so that the two
long installs run on two test workers at once)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, clean_copy

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
