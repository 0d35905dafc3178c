"""rubric_app: review SRO policies against the SECURe rubrics."""
