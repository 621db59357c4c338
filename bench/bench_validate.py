"""validate_notebook speed: in-process per notebook and whole CLI process, vs `ruff check`.

Corpus: the clean Kaggle-style kernels and every rule's failing fixture from tests/validate
(≥ 30 kernel folders), written to a temp dir, plus the real-kernel corpus
(tests/validate/real_corpus, reproductions of public kernels), reported on its own too.
Targets: ≤ 20 ms per notebook in-process, ≤ 0.5 s per CLI process. Baselines run on the same
notebooks in the same run.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import median_seconds, report

REPO = Path(__file__).resolve().parent.parent


def build_corpus(root: Path) -> list[Path]:
    from tests.validate.clean_kernels import CLEAN
    from tests.validate.kernels import metadata, write_kernel
    from tests.validate.test_rules import CASES, materialize

    folders = []
    for name, (cells, overrides) in sorted(CLEAN.items()):
        slug = f"gold-{name.replace('_', '-')}-1"
        folders.append(write_kernel(root / name, cells, metadata(slug, **overrides)))
    for code, (failing, _) in sorted(CASES.items()):
        if failing.raw is None and code != "GL1303":  # skip the 6 MB-output fixture
            target = root / f"case_{code}"
            target.mkdir()
            folders.append(materialize(target, failing))
    return folders


def real_corpus(root: Path) -> list[Path]:
    """The real-kernel reproductions whose folder can be pushed (has a code_file)."""
    from tests.validate.real_scores import CORPUS

    shutil.copytree(CORPUS, root / "real")
    return [p for p in sorted((root / "real").iterdir()) if p.is_dir() and code_of(p) is not None]


def code_of(folder: Path) -> Path | None:
    try:
        code_file = json.loads((folder / "kernel-metadata.json").read_text(encoding="utf-8")).get("code_file")
    except (OSError, ValueError):
        return None
    return folder / code_file if code_file and (folder / code_file).is_file() else None


def notebook_of(folder: Path) -> Path:
    if not folder.is_dir():
        return folder
    return code_of(folder) or next(folder.glob("*.ipynb"))


def per_notebook(corpus: list[Path], ruff_cmd: list[str]) -> tuple[list[float], list[float]]:
    from goldloop.validate import validate_path

    ours = [median_seconds(lambda p=p: validate_path(p), repeat=5) for p in corpus]
    theirs = [median_seconds(lambda p=p: subprocess.run(
        [*ruff_cmd, str(notebook_of(p))], capture_output=True), repeat=3) for p in corpus]
    return ours, theirs


def main() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    goldloop = [sys.executable, "-m", "goldloop.cli", "validate"]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = [p for p in build_corpus(Path(tmp)) if list(Path(p).glob("*.ipynb"))
                  or Path(p).suffix == ".ipynb"]
        print(f"corpus: {len(corpus)} kernel folders/notebooks")

        from goldloop.validate import validate_path

        validate_path(corpus[0])  # first call loads the rules, pyflakes and jsonschema once
        theirs_cmd = [ruff, "check", "--no-cache", "--isolated", "--exit-zero", "--quiet"]
        real = real_corpus(Path(tmp))
        real_ours, real_ruff = per_notebook(real, theirs_cmd)
        print(f"real corpus: {len(real)} kernel folders")
        report("validate in-process, real kernels, median per notebook", statistics.median(real_ours) * 1000,
               "ms", "ruff check process per notebook", statistics.median(real_ruff) * 1000, target="<= 20 ms")
        ours, baseline = per_notebook(corpus, theirs_cmd)
        start = time.perf_counter()
        subprocess.run([*theirs_cmd, *(str(notebook_of(p)) for p in corpus)], capture_output=True)
        ruff_batch = (time.perf_counter() - start) / len(corpus)

        report("validate in-process, median per notebook", statistics.median(ours) * 1000, "ms",
               "ruff check process per notebook", statistics.median(baseline) * 1000,
               target="<= 20 ms")
        report("validate in-process, max per notebook", max(ours) * 1000, "ms",
               "ruff check whole corpus / n", ruff_batch * 1000)

        sample = corpus[:: max(1, len(corpus) // 10)]
        cli = [median_seconds(lambda p=p: subprocess.run([*goldloop, str(p)], cwd=tmp,
                                                         capture_output=True), repeat=3)
               for p in sample]
        ruff_cli = [median_seconds(lambda p=p: subprocess.run(
            [*theirs_cmd, str(notebook_of(p))], capture_output=True), repeat=3) for p in sample]
        report("goldloop validate CLI process, median", statistics.median(cli), "s",
               "ruff check process", statistics.median(ruff_cli), target="<= 0.5 s")
        floor = median_seconds(lambda: subprocess.run([sys.executable, "-m", "goldloop.cli",
                                                       "--help"], capture_output=True), repeat=3)
        report("goldloop validate CLI process, median", statistics.median(cli), "s",
               "`goldloop --help` process", floor)

        imports = median_seconds(lambda: subprocess.run(
            [sys.executable, "-c", "import goldloop.validate"], capture_output=True), repeat=5)
        bare = median_seconds(lambda: subprocess.run([sys.executable, "-c", "pass"],
                                                     capture_output=True), repeat=5)
        report("python -c 'import goldloop.validate'", imports * 1000, "ms",
               "python -c pass", bare * 1000)


if __name__ == "__main__":
    main()
