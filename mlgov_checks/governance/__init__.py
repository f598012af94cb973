"""Governance actions that write, and their vocabulary: approve, promote, record, roles, identity, versions."""
