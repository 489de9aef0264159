"""A benchmark-only Django site: the project's settings and URLs plus a trivial view."""
