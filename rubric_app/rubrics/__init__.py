"""Rubric definitions: YAML in, validated immutable rubrics out (no Flask, no database)."""
