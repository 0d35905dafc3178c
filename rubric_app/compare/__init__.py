"""Side-by-side comparison of two to four assessments."""
