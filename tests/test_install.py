"""A regular install: build the wheel, install it (not editable) into a fresh
virtualenv, and use the command and the API from a folder that is not the
repository. The rules must come with the package."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, RULES_DIR

# What a build reads; anything else in the checkout must not be needed.
SOURCES = ["pyproject.toml", "README.md", "normalize", "rules"]


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{args}: {done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A wheel built from a copy of the sources, installed into a fresh venv."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    source.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["NORMALIZE_CACHE_DIR"] = str(base / "cache")
    # The build backend pyproject.toml asks for is in the dev extra, so the
    # build needs no network (pip would otherwise fetch it, as for a user's `pip install .`).
    build = ["wheel", "-q", "--no-deps", "--no-index", "--no-build-isolation", "-w", str(base)]
    run([sys.executable, "-m", "pip", *build, "."], source, env)
    (wheel,) = base.glob("normalize-*.whl")
    venv = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], base, env)
    python = venv / "bin" / "python"
    # The dependencies are those of the test run's own environment (offline and
    # fast); normalize itself comes only from the wheel, installed first on the path.
    purelib = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base, env
    ).stdout.strip()
    Path(purelib, "test-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    pip_install = [sys.executable, "-m", "pip", "--python", str(python), "install"]
    run([*pip_install, "-q", "--no-deps", "--no-index", str(wheel)], base, env)
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    return {"wheel": wheel, "venv": venv, "cwd": elsewhere, "purelib": Path(purelib)}


@pytest.fixture(scope="module")
def env(installed: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["NORMALIZE_CACHE_DIR"] = str(installed["cwd"].parent / "cache")
    return env


def test_every_package_of_the_source_is_listed_for_the_wheel() -> None:
    declared = re.search(
        r"^packages = \[(.*?)\]", (ROOT / "pyproject.toml").read_text(), re.M | re.S
    )
    assert declared
    listed = set(re.findall(r'"([\w.]+)"', declared[1]))
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "normalize").rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_the_wheel_carries_every_rule_file(installed: dict[str, Path]) -> None:
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        shipped = {
            name.removeprefix("normalize/bundled_rules/")
            for name in wheel.namelist()
            if name.startswith("normalize/bundled_rules/")
        }
    expected = {
        path.relative_to(RULES_DIR).as_posix()
        for path in RULES_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert shipped == expected


def test_the_installed_command_runs_from_another_folder(
    installed: dict[str, Path], env: dict[str, str]
) -> None:
    cwd = installed["cwd"]
    (cwd / "article.txt").write_text("Leave a Reply\nHello  world.  \n", encoding="utf-8")
    command = str(installed["venv"] / "bin" / "normalize")
    done = run([command, "article.txt"], cwd, env)
    assert done.stdout == "Hello  world.\n"
    checked = run([command, "check"], cwd, env)
    assert "examples: all hold" in checked.stdout
    version = run([command, "--version"], cwd, env)
    declared = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert declared and version.stdout.strip() == f"normalize {declared[1]}"


def test_the_installed_api_uses_the_packaged_rules(
    installed: dict[str, Path], env: dict[str, str]
) -> None:
    script = (
        "from normalize import Normalizer\n"
        "import normalize\n"
        "n = Normalizer.from_rules()\n"
        "print(normalize.__file__)\n"
        "print(n.rules_dir)\n"
        "print(repr(n.normalize('Leave a Reply\\nHello.\\n', as_file=True)))\n"
    )
    done = run([str(installed["venv"] / "bin" / "python"), "-c", script], installed["cwd"], env)
    module, rules_dir, text = done.stdout.splitlines()
    package = installed["purelib"] / "normalize"
    assert Path(module).parent == package  # the wheel's copy, not the checkout
    assert Path(rules_dir) == package / "bundled_rules"
    assert text == repr("Hello.\n")


def test_the_installed_package_still_takes_a_users_rules_folder(
    installed: dict[str, Path], env: dict[str, str]
) -> None:
    cwd = installed["cwd"]
    mine = cwd / "my-rules"
    shutil.copytree(RULES_DIR, mine)
    layout = mine / "20-layout.yaml"
    layout.write_text(
        layout.read_text(encoding="utf-8").replace("pass: layout", "pass: my_layout"),
        encoding="utf-8",
    )
    (cwd / "b.txt").write_text("Hello  \n", encoding="utf-8")
    command = str(installed["venv"] / "bin" / "normalize")
    run([command, "b.txt", "--rules", "my-rules", "--explain", "e.jsonl"], cwd, env)
    assert '"pass": "my_layout"' in (cwd / "e.jsonl").read_text(encoding="utf-8")
    script = "from normalize import Normalizer; print(Normalizer.from_rules('my-rules').rules_dir)"
    done = run([str(installed["venv"] / "bin" / "python"), "-c", script], cwd, env)
    assert Path(done.stdout.strip()) == mine.resolve()


def test_make_installs_the_core_to_clean_and_the_dev_extra_to_test(tmp_path: Path) -> None:
    """`make -n` on a fresh venv path: what each target would install."""

    def planned(target: str) -> str:
        return subprocess.run(
            ["make", "-n", "-C", str(ROOT), target, f"VENV={tmp_path / 'venv'}"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout

    cleaning = planned("clean-corpus")
    assert "pip install --quiet -e .\n" in cleaning and "[dev]" not in cleaning
    assert "pip install --quiet -e '.[dev]'" in planned("test")
