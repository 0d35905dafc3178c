"""State roll-ups for state advocate organizations."""
