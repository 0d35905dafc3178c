"""Reports: the assessment report, gap report, action plan, JSON export and PDFs."""
