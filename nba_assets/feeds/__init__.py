"""Live sources: NBA stats through ``nba-api`` (games, rosters, box scores) and The Odds API v4 (lines).

Pure Python, no Dagster: thin resources in ``defs/`` wrap these clients. Every client is polite
(browser-like headers where the site expects them, timeouts, bounded retries with backoff, a delay
between calls) and every failure is a named :class:`~nba_assets.feeds.errors.FeedError`.
"""
