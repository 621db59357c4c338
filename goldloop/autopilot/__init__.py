"""The autopilot: drives the whole loop without an LLM, playing each agent's part by rules.

``goldloop run`` uses it. It makes the same state transitions and commits the agents make,
through the same goldloop functions, so a run can be resumed by Claude Code and vice versa.
"""
