"""Point-in-time feature tests."""
