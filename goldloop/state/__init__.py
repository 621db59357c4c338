"""State: the model, its schema, the locked atomic store, transitions and the planner."""

from goldloop.state.model import FeatureStatus, State, Status
from goldloop.state.store import StateStore

__all__ = ["FeatureStatus", "State", "StateStore", "Status"]
