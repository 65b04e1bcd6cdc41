-- Issue K: the project tool's API (seed 001) and Enterprise Tester's
-- (seed 002).  ET's IconTitle is a field of the notification like its
-- icon; and every sort the project tool offers is a range of an index
-- (InnoDB appends the primary key, so (user_id, deleted) is ordered by
-- id, and the others by their column, then id).

ALTER TABLE notifications
  ADD COLUMN icon_title VARCHAR(255) NULL AFTER icon,     -- ET IconTitle
  ADD KEY notes_k_id      (user_id, deleted),             -- sort=id
  ADD KEY notes_k_type    (user_id, deleted, type),       -- sort=type
  ADD KEY notes_k_updated (user_id, deleted, updated),    -- sort=updated_at
  ADD KEY notes_k_read_at (user_id, deleted, seen_at);    -- sort/filter read_at

-- seen_at was left NULL by single reads before this migration (the
-- read time was the update time then).
UPDATE notifications SET seen_at = updated WHERE seen = 1 AND seen_at IS NULL;
