"""Front-end JSON exports (DESIGN §6, L13): pure builders, JSON Schemas, quality gates and sinks.

The API the Dagster assets call (kept out of this module so importing a sink stays light):

- ``builders.build_day_exports(game_date, predictions, slate, lines, box_scores, *, generated_at,
  default_system, best_bets_top_n=10) -> Iterator[ExportFile]``
- ``builders.build_results_export(game_date, results, *, generated_at) -> Iterator[ExportFile]``
- ``frames.slate_games(slate, game_date)`` -> the game ids for ``GateConfig.for_slate``
- ``publish.publish(files, sink, gates, *, dry_run=False) -> PublishReport`` (nothing written
  unless every gate passes); ``quality.check_files(files, gates, published=sink.read)``
- ``status.check_published(sink, game_date, *, tonight=True, max_age=None) -> PublishedStatus``
- ``page.page_bytes()``: the tonight page (``page.html`` with the schemas inlined) that ``publish``
  writes as ``index.html`` beside ``v1/`` after the files, only when it changed
- sinks: ``local.DirectorySink(root)``, ``gcs.GcsSink(gcs.gcs_client(project), bucket, prefix)``
"""
