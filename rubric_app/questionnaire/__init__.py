"""The questionnaire: start, fill in, resume, review, submit and reopen assessments."""
