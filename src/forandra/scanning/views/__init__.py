"""Scanning pages, one module per part: feeds, signals, radar (and the region's matrix)."""
