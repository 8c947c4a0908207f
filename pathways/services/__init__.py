"""Writes that matter, split by flow: people and pathways, stages, memberships.

Every function is keyword-only, atomic, validates with `full_clean()` and raises `ValidationError` with a French
message a user can act on.
"""
