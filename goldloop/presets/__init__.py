"""Presets for `goldloop init --preset NAME`: a goldloop.toml and, optionally, families.

A preset is a folder here: ``goldloop.toml`` (with ``{name}``, ``{owner}``, ``{source}``
placeholders) and ``families/`` (``*.py.tmpl`` → the workspace's ``families/*.py``, plus
documentation). "gold" is the flagship and the default; "oil" forecasts crude oil from the
same offline packages with families of its own; "blank" is a commented template.
"""

from __future__ import annotations

from pathlib import Path

from goldloop.errors import ConfigError

PRESETS_DIR = Path(__file__).resolve().parent
DEFAULT_PRESET = "gold"


def preset_names() -> list[str]:
    return sorted(p.name for p in PRESETS_DIR.iterdir() if (p / "goldloop.toml").is_file())


def preset_dir(preset: str) -> Path:
    if preset not in preset_names():
        raise ConfigError(f"unknown preset {preset!r}", f"use one of: {', '.join(preset_names())} "
                          "(`goldloop init --list-presets`)")
    return PRESETS_DIR / preset


def preset_files(preset: str, *, name: str, owner: str, source: str) -> dict[str, str]:
    """Workspace-relative path → text of every file the preset writes."""
    folder = preset_dir(preset)
    text = (folder / "goldloop.toml").read_text(encoding="utf-8")
    for key, value in (("name", name), ("owner", owner), ("source", source)):
        text = text.replace("{" + key + "}", value)
    files = {"goldloop.toml": text}
    families = folder / "families"
    if families.is_dir():
        for path in sorted(families.iterdir()):
            if path.is_file():
                target = path.name.removesuffix(".tmpl")
                files[f"families/{target}"] = path.read_text(encoding="utf-8")
    return files


def default_name(preset: str, folder: Path) -> str:
    """A named preset's project is called after it (slugs gold-vix-1); blank after the folder."""
    if preset != "blank":
        return preset
    import re

    return re.sub(r"[^a-z0-9_-]+", "_", folder.name.lower()).strip("_-") or "project"
