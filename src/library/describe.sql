-- Library migration 2. Never edit a migration that has shipped; add a new one.
-- A tag described in words ("legged robots that learn to walk on rough ground"): a new interest
-- is recommended papers before it has a saved one, and the sentence keeps steering it after.
ALTER TABLE tags ADD COLUMN description TEXT;
