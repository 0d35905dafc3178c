"""Public method pages of the frameworks: what each law requires and which items show it."""
