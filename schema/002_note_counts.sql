-- Each user's count of notifications (not deleted) and of unseen ones,
-- kept by triggers in the same transaction as the rows, so that listings
-- and unread counts cost one primary-key read however many notifications
-- a user has.  Counts with a type, subject or date filter still count
-- rows, over an index.

CREATE TABLE note_counts (
  user_id  BINARY(16) NOT NULL,
  total    BIGINT     NOT NULL DEFAULT 0,
  unseen   BIGINT     NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id),
  CONSTRAINT counts_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

INSERT INTO note_counts (user_id, total, unseen)
  SELECT user_id, SUM(deleted = 0), SUM(deleted = 0 AND seen = 0)
  FROM notifications GROUP BY user_id;

CREATE TRIGGER note_counts_insert AFTER INSERT ON notifications
  FOR EACH ROW
  INSERT INTO note_counts (user_id, total, unseen)
  VALUES (NEW.user_id, NEW.deleted = 0, NEW.deleted = 0 AND NEW.seen = 0)
  ON DUPLICATE KEY UPDATE total = total + VALUES(total),
    unseen = unseen + VALUES(unseen);

CREATE TRIGGER note_counts_update AFTER UPDATE ON notifications
  FOR EACH ROW
  UPDATE note_counts
  SET total = total + ((NEW.deleted = 0) - (OLD.deleted = 0)),
      unseen = unseen + ((NEW.deleted = 0 AND NEW.seen = 0) -
                         (OLD.deleted = 0 AND OLD.seen = 0))
  WHERE user_id = NEW.user_id;

CREATE TRIGGER note_counts_delete AFTER DELETE ON notifications
  FOR EACH ROW
  UPDATE note_counts
  SET total = total - (OLD.deleted = 0),
      unseen = unseen - (OLD.deleted = 0 AND OLD.seen = 0)
  WHERE user_id = OLD.user_id;
