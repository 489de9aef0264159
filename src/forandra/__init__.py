"""Förändra: leading digital change in municipalities, together with the region."""
