"""The names of the staging asset's checks (``<asset>_<rule>``), evaluated while staging."""

ALL_PLAYERS_REPORTED = "staging_predictions_all_players_reported"
