"""Scanning pages: feeds."""

from __future__ import annotations
