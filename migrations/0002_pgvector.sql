-- pgvector, for the vector-database comparison's pgvector arm and the hybrid
-- classifier's nearest-neighbour search. RDS, Aurora and the embedded PGlite have
-- it; a Postgres without the extension installed (Debian's postgresql-15, CI's)
-- migrates without it, and the pgvector arm reports it unavailable there.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
    CREATE EXTENSION IF NOT EXISTS vector;
  END IF;
END $$;
