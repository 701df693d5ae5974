"""Officer reporting: budget against commitments, DPS membership statistics, and exports of every table."""
