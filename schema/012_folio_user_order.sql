-- FOLIO mod-notify (issue I): one user's notifications in FOLIO's order,
-- last written (updated, then insertion order), for /notify/user/_self.
-- notes_k_updated (user_id, deleted, updated) orders ties by id, which is
-- the project tool's sort=updated_at and not FOLIO's, so without this a
-- user's page sorted every one of that user's rows.

ALTER TABLE notifications
  ADD KEY notes_user_written (user_id, deleted, updated, seq);
