-- AMQP for the Discovery Environment (issue L).  User notifications reach
-- the broker through the outbox (deliveries, method 'amqp'); a system
-- notification has no outbox row, so its publication at activation is
-- marked on it: `published` is when herald dispatch's broker confirmed it
-- (ms), NULL while it is due.  An admin update clears it, so the changed
-- notification is published again once it is active, as the original
-- rescheduled it.  A dispatcher leases due rows first (pub_owner,
-- pub_lease: one committed UPDATE, so that on Galera too only one wins),
-- publishes, then marks them: one publication however many run, and a
-- crashed dispatcher's lease expires.
-- The activation and creation keys serve herald push, which frames a
-- system notification on the agent's stream as it becomes active.

ALTER TABLE system_notifications
  ADD COLUMN published BIGINT NULL,
  ADD COLUMN pub_owner BINARY(16) NULL,
  ADD COLUMN pub_lease BIGINT NULL,
  ADD KEY system_unpublished (published, activation),
  ADD KEY system_activation (activation),
  ADD KEY system_created_at (created);

-- Those active before AMQP was configured are not news any more.
UPDATE system_notifications SET published = 0
  WHERE activation <= CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED);
