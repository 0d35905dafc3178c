"""Rubrics as readable method documents: sections, items, scales, scoring, sources, versions."""
