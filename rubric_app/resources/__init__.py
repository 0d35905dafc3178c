"""The guidance library: every resource, what it is about and which items cite it."""
