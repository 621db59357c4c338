"""``goldloop knowledge search|add|list`` and ``goldloop memory add|show``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from goldloop.cli.common import console, emit, styled, workspace


def register(app: typer.Typer) -> None:
    knowledge_app = typer.Typer(help="Search and extend the Q&A knowledge base (knowledge/).",
                                no_args_is_help=True)
    memory_app = typer.Typer(help="Lessons carried between sessions (MEMORY.md).", no_args_is_help=True)
    app.add_typer(knowledge_app, name="knowledge")
    app.add_typer(memory_app, name="memory")

    @knowledge_app.command("search")
    def search_cmd(
        query: Annotated[list[str], typer.Argument(help="Keywords, English or Japanese.")],
        limit: int = typer.Option(5, "--limit", "-n", min=1, max=50),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Entries ranked by BM25 for the query, best first."""
        from goldloop.knowledge import search

        results = search(workspace().root, " ".join(query), limit=limit)

        def human(rows: list) -> None:
            out = console()
            if not rows:
                out.print("nothing in knowledge/ matches; research it and add an entry with "
                          "`goldloop knowledge add`")
            for row in rows:
                out.print(styled((f"{row['score']:.2f}", "bold"), f"  {row['path']}"))
                out.print(f"      Q: {row['question']}", markup=False, highlight=False)
                out.print(f"      {row['snippet']}", markup=False, highlight=False)

        emit(results, as_json, human)

    @knowledge_app.command("add")
    def add_cmd(
        question: Annotated[str, typer.Option("--question", "-q", help="The question the entry answers.")],
        tags: Annotated[list[str], typer.Option("--tag", "-t", help="A keyword; repeat for more.")],
        sources: Annotated[list[str], typer.Option("--source", "-s", help="A source (URL, paper); repeat for more.")],
        answer: Annotated[str | None, typer.Option("--answer", "-a", help="The answer (markdown).")] = None,
        answer_file: Annotated[Path | None, typer.Option("--answer-file", help="Read the answer from a file.")] = None,
        category: Annotated[str, typer.Option("--category", "-c", help="Folder under knowledge/.")] = "general",
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """Add an entry; refused when the question is already answered (the hint names the entry)."""
        from goldloop.errors import GoldloopError
        from goldloop.knowledge import add

        if (answer is None) == (answer_file is None):
            raise GoldloopError("give the answer with exactly one of --answer or --answer-file")
        if answer_file is not None:
            try:
                answer = answer_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise GoldloopError(f"cannot read {answer_file}: {exc}", "pass a UTF-8 text file") from None
        entry = add(workspace().root, question, answer or "", tags, sources, category=category)
        emit(entry, as_json, lambda d: console().print(f"added {d['path']}", highlight=False))

    @knowledge_app.command("list")
    def list_cmd(as_json: bool = typer.Option(False, "--json")) -> None:
        """Every entry's path and question, and any file that could not be read."""
        from goldloop.knowledge import load_entries

        entries, problems = load_entries(workspace().root)
        data = {"entries": [e.to_dict() for e in entries], "problems": problems}

        def human(d: dict) -> None:
            out = console()
            for e in d["entries"]:
                out.print(f"{e['path']}: {e['question']}", markup=False, highlight=False)
            for p in d["problems"]:
                out.print(styled(("unreadable:", "red"), f" {p}"))

        emit(data, as_json, human)

    @memory_app.command("add")
    def memory_add_cmd(
        lesson: Annotated[list[str], typer.Argument(help="The lesson, one line.")],
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Append a dated lesson to MEMORY.md (a lesson already recorded is not added twice)."""
        from goldloop.knowledge import memory_add

        result = memory_add(workspace().root, " ".join(lesson))

        def human(d: dict) -> None:
            if d["added"]:
                console().print(f"added to MEMORY.md: - {d['date']}: {d['lesson']}", markup=False)
            else:
                dup = d["duplicate_of"]
                console().print(f"already recorded (MEMORY.md line {dup['line']}): {dup['text']}",
                                markup=False)

        emit(result, as_json, human)

    @memory_app.command("show")
    def memory_show_cmd(as_json: bool = typer.Option(False, "--json")) -> None:
        """Every lesson in MEMORY.md with its date and section."""
        from goldloop.knowledge import read_lessons

        lessons = read_lessons(workspace().root)

        def human(rows: list) -> None:
            for row in rows:
                console().print(f"[{row['section']}] {row['date'] or '----------'}: {row['text']}",
                                markup=False, highlight=False)

        emit(lessons, as_json, human)
