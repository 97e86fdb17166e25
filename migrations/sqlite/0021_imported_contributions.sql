-- Where an imported contribution comes from (NULL for one typed in): the questionnaire's tool,
-- the SHA-256 of its file, the row, and the questionnaire's own response number when the file
-- has one. The consultation's page shows it beside the contribution, so that what was imported
-- can be checked against the file. No contribution was imported before this migration.
ALTER TABLE proj_contributions ADD COLUMN imported_format TEXT;
ALTER TABLE proj_contributions ADD COLUMN imported_file_sha256 TEXT;
ALTER TABLE proj_contributions ADD COLUMN imported_row INTEGER;
ALTER TABLE proj_contributions ADD COLUMN imported_response TEXT;
