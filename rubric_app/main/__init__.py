"""The front pages: home (the rubric list, your work) and the health check."""
