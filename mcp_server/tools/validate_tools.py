"""validate_notebook: the pre-push checker as an MCP tool."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from mcp_server.tools.common import WorkspaceArg, run

Selectors = Annotated[
    list[str] | None,
    Field(description="rule codes (GL401) or categories (dataset_path); default: all rules"),
]


def register(server: Any) -> None:
    @server.tool()
    def validate_notebook(
        path: Annotated[str, Field(min_length=1, description=(
            "kernel folder (notebooks/<feature>_<attempt>/), .ipynb or .py; relative paths "
            "are taken from the workspace"))],
        select: Selectors = None,
        ignore: Selectors = None,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """Static checks before a Kaggle push: {path, ok, findings[{rule, category, severity,
        message, cell, line, hint}], skipped}. ok=false means error findings: do not push."""
        from pathlib import Path

        from goldloop.errors import WorkspaceError
        from goldloop.validate import validate_path
        from goldloop.workspace import find_workspace

        if workspace_dir:
            root = run(find_workspace, workspace_dir).root
        else:
            try:
                root = find_workspace().root
            except WorkspaceError:
                root = None  # a loose notebook outside any workspace is fine
        target = Path(path)
        if not target.is_absolute() and root is not None:
            target = root / target
        return run(validate_path, target, select=select, ignore=ignore,
                   workspace_root=root).to_dict()
