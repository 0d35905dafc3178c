"""Helpers shared by the app's spreadsheet exports (CSV and XLSX)."""
