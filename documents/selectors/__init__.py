"""Reads: every query about pages that more than one caller needs lives here."""
