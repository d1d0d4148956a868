"""PostgreSQL: the only code that holds SQL or the connection pool."""
