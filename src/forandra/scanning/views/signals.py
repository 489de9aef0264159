"""Scanning pages: signals."""

from __future__ import annotations
