"""The database: the connection and named queries (db), the schema and derived tables, the build, published
versions, start-up checks, coverage standards, reference geography and who may write (access)."""
