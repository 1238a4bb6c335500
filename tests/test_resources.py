"""Data files travel with the package: found in a checkout and in an installed wheel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.resources import corpus_file

REPO = Path(__file__).resolve().parents[1]
DATA_FILES = ("taxonomy.tsv", "parks.tsv", "policies.jsonl", "sample_suppliers.jsonl")


@pytest.mark.parametrize("name", DATA_FILES)
def test_corpus_file_finds_the_bundled_data(name: str) -> None:
    path = corpus_file(name)
    assert path.is_file() and path.name == name and path.stat().st_size > 0


def test_a_missing_data_file_is_named() -> None:
    with pytest.raises(FileNotFoundError, match="no-such.tsv"):
        corpus_file("no-such.tsv")


# run in a clean interpreter whose only copy of KếtNối is the installed wheel
INSTALLED_CHECK = """
import json, sys
from pathlib import Path
import corpora, recommender, webapp
from recommender.resources import corpus_file
from recommender.policy import DEFAULT_CATALOGUE, load_catalogue
from webapp import i18n
site = Path(sys.argv[1]).resolve()
for module in (corpora, recommender, webapp):
    assert site in Path(module.__file__).resolve().parents, module.__file__
sizes = {}
for name in sys.argv[2:]:
    path = corpus_file(name)
    assert site in path.resolve().parents, path
    with open(path, encoding="utf-8") as fh:
        sizes[name] = len(fh.readline())
assert i18n.po_path().is_file() and site in i18n.po_path().resolve().parents
print(json.dumps({"sizes": sizes, "programmes": len(load_catalogue()),
                  "catalogue": str(DEFAULT_CATALOGUE)}))
"""


@pytest.mark.slow
def test_an_installed_wheel_carries_its_data_files(tmp_path: Path) -> None:
    # build from a copy of the sources, so the checkout gets no build/ or egg-info
    source = tmp_path / "src"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "instance")
    for name in ("pyproject.toml", "setup.cfg", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for name in ("recommender", "webapp", "corpora"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheels), str(source)], check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("ketnoi-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)

    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run([sys.executable, "-c", INSTALLED_CHECK, str(site), *DATA_FILES],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert all(found["sizes"][name] > 0 for name in DATA_FILES)
    assert found["programmes"] > 0
    assert Path(found["catalogue"]).resolve().parent == (site / "corpora").resolve()
