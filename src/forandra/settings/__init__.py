"""Settings profiles: `development` (default), `test` and `production`."""
