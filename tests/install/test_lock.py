"""The committed lock is the install: it agrees with pyproject.toml and keeps the install small."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def _locked() -> dict[str, list[str]]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    versions: dict[str, list[str]] = {}
    for package in lock["package"]:
        versions.setdefault(package["name"], []).append(package["version"])
    return versions


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for name, extra in project["optional-dependencies"].items():
        reqs += [Requirement(r) for r in extra if name != "torch"]  # torch installs from a file
    return reqs


def test_every_requirement_is_pinned_by_the_lock_within_its_bounds():
    locked = _locked()
    env = default_environment() | {"python_full_version": "3.11.7", "python_version": "3.11",
                                   "sys_platform": "linux", "extra": ""}
    checked = 0
    for req in _requirements():
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = req.name.lower().replace("_", "-")
        assert name in locked, f"{req.name} is in pyproject.toml but not in uv.lock: run `make lock`"
        assert any(req.specifier.contains(v, prereleases=True) for v in locked[name]), (
            f"uv.lock pins {name} {locked[name]}, outside pyproject.toml's {req.specifier}: run `make lock`")
        checked += 1
    assert checked > 30


def _reachable(extras: set[str]) -> set[str]:
    """Packages the lock installs for goldloop with these extras on Linux, Python 3.11."""
    lock = {p["name"]: p for p in tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))["package"]}
    env = default_environment() | {"python_full_version": "3.11.7", "python_version": "3.11",
                                   "sys_platform": "linux", "platform_system": "Linux", "extra": ""}

    def wanted(dep: dict) -> bool:
        marker = dep.get("marker")
        return marker is None or Requirement(f"x; {marker}").marker.evaluate(env)

    deps = list(lock["goldloop"].get("dependencies", []))
    for extra in extras:
        deps += lock["goldloop"]["optional-dependencies"][extra]
    seen: set[str] = set()
    while deps:
        dep = deps.pop()
        if dep["name"] in seen or not wanted(dep):
            continue
        seen.add(dep["name"])
        package = lock[dep["name"]]
        deps += package.get("dependencies", [])
        for extra in dep.get("extra", []):
            deps += package.get("optional-dependencies", {}).get(extra, [])
    return seen


def test_the_default_install_has_no_cuda_payload():
    """xgboost's default wheel pulls NVIDIA NCCL (~470 MB) that nothing here uses; only the
    opt-in torch extra may bring CUDA packages."""
    default = _reachable({"offline"})
    assert "xgboost-cpu" in default and "xgboost" not in default
    assert not [n for n in default if n.startswith("nvidia-")]
    assert [n for n in _reachable({"torch"}) if n.startswith("nvidia-")]  # the walk sees CUDA where it is


@pytest.mark.skipif(shutil.which("uv") is None and not (ROOT / ".tools/uv/bin/uv").exists(),
                    reason="uv is installed by `make install`")
def test_uv_agrees_the_lock_is_current():
    uv = shutil.which("uv") or str(ROOT / ".tools/uv/bin/uv")
    done = subprocess.run([uv, "lock", "--check", "--offline"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
