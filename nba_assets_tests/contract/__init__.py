"""Twin-backend contract suites: one suite per protocol, run against every implementation."""
