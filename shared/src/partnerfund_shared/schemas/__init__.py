"""Wire schemas of the services' HTTP APIs, one module per service."""
