"""The goldloop MCP server: thin tools over the goldloop library (no logic of its own)."""
