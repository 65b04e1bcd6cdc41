-- FOLIO mod-notify (issue I): who created and last changed a notification
-- (metadata.createdByUserId / updatedByUserId, as the caller's id text),
-- and an insertion sequence: FOLIO's default order is "last written"
-- (updatedDate, then the order rows were written), and a millisecond
-- clock alone ties.  The tenant-wide index serves the CQL listings,
-- which are not per user.

ALTER TABLE notifications
  ADD COLUMN created_by VARCHAR(255) NULL,
  ADD COLUMN updated_by VARCHAR(255) NULL,
  ADD COLUMN seq        BIGINT       NOT NULL AUTO_INCREMENT,
  ADD UNIQUE KEY notes_seq (seq),
  ADD KEY notes_tenant_written (tenant, deleted, updated, seq);
