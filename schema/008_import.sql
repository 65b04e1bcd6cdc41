-- "herald import" (issue R): what was imported from each original's own
-- store, so that a second run adds and changes nothing unless the source
-- row changed, and a run stopped half-way resumes where it stopped.
-- 007 is left to another issue; migrations apply in name order.

-- One row per source row imported: a digest of the row as it was read.
-- The digest, not Herald's copy, decides "unchanged": what users did in
-- Herald since (read, dismissed) survives a re-run.
CREATE TABLE import_rows (
  tenant      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  source      VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  tbl         VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  src_key     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  digest      BINARY(32)   NOT NULL,          -- SHA-256 of the row's values
  updated     BIGINT       NOT NULL,
  PRIMARY KEY (tenant, source, tbl, src_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- The run in progress, a source table at a time: the last source key of
-- the last batch committed (written in that batch's transaction), and
-- whether the table is done.  A finished run removes its rows.
CREATE TABLE import_checkpoints (
  tenant      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  source      VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  tbl         VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  last_key    VARCHAR(128) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
  done        TINYINT(1)   NOT NULL DEFAULT 0,
  updated     BIGINT       NOT NULL,
  PRIMARY KEY (tenant, source, tbl)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
