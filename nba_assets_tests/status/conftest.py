"""The defs suite's temp NBA_ASSETS_HOME and definitions, shared."""

from nba_assets_tests.defs.conftest import definitions, instance, local_home  # noqa: F401
