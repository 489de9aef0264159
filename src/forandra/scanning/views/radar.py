"""Scanning pages: radar."""

from __future__ import annotations
