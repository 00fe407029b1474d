"""The inputs group: box_scores and prop_lines, a date's rows from a feed or files into the warehouse."""
