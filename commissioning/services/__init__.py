"""Writes for commissioning, one module per capability. Each write records its audit event in its transaction."""
