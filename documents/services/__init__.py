"""Writes: every change to pages goes through a function here, in one transaction."""
