-- herald push (issue L): a change log of every user notification, for the
-- streams.  Each creation, read, unread and deletion appends one row in the
-- writer's own transaction (the triggers below), so a stream learns of it
-- only once it is committed, and a client that resumes names one number:
-- the change it saw last.  `seq` (004) orders creations only; the log
-- orders every kind of change the same way.  An AUTO_INCREMENT is
-- assigned in statement order, not commit order: the push process waits a
-- bounded time (push_gap_ms) for a number it skipped to commit, and on a
-- Galera cluster the numbers each node does not use stay holes until then.
-- Rows older than push_retention_s are pruned by herald push.

CREATE TABLE note_changes (
  chg             BIGINT     NOT NULL AUTO_INCREMENT,
  user_id         BINARY(16) NOT NULL,   -- the recipient, for resumes
  notification_id BINARY(16) NOT NULL,
  kind            TINYINT    NOT NULL,   -- 1 created, 2 read, 3 unread, 4 deleted
  at              BIGINT     NOT NULL,   -- ms, the server's clock: pruning
  PRIMARY KEY (chg),
  KEY changes_user (user_id, chg),
  KEY changes_age (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TRIGGER note_changes_insert AFTER INSERT ON notifications
  FOR EACH ROW
  INSERT INTO note_changes (user_id, notification_id, kind, at)
  VALUES (NEW.user_id, NEW.id, IF(NEW.deleted = 1, 4, 1),
    CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED));

CREATE TRIGGER note_changes_update AFTER UPDATE ON notifications
  FOR EACH ROW
  INSERT INTO note_changes (user_id, notification_id, kind, at)
  SELECT NEW.user_id, NEW.id,
    IF(NEW.deleted = 1 AND OLD.deleted = 0, 4, IF(NEW.seen = 1, 2, 3)),
    CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)
  FROM DUAL
  WHERE (NEW.deleted = 1 AND OLD.deleted = 0) OR
    (NEW.deleted = 0 AND NEW.seen <> OLD.seen);
