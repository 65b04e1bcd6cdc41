#ifndef AMQP_PUB_H
#define AMQP_PUB_H

/*
 * AMQP for the Discovery Environment (issue L, agent.md §5.4), in herald
 * dispatch: the outbox's "amqp" rows published to the topic exchange
 * amqp_exchange ("de") with routing key notification.<user>, and system
 * notifications to "system_message" as they become active.  One
 * connection and channel, in confirm mode, kept across jobs; a publish
 * is done only once the broker confirms it.  (Not <amqp.h>: that is
 * librabbitmq's.)
 */
#include <stdint.h>

#include "send.h"

struct cfg;
struct store;
struct amqp_pub;

struct amqp_pub	*amqp_pub_new(void);
/* Close the connection and free. */
void		 amqp_pub_free(struct amqp_pub *);
/* Close the connection: the next publish connects with the config then. */
void		 amqp_pub_close(struct amqp_pub *);

/*
 * The outbox row "id" of notification "note_id": {"message":N,"total":
 * unseen} as the agent writes it, confirmed.  SEND_RETRY when the
 * broker is unreachable or did not confirm; a reason goes in "err".
 */
enum send_rc	 amqp_send_note(struct amqp_pub *, const struct cfg *,
		    struct store *, const unsigned char id[16],
		    const unsigned char note_id[16], char *err, size_t errsz);

/*
 * System notifications active at "now" and not yet published: leased
 * (a committed UPDATE), published, marked, so with any number of
 * dispatchers, on one database or Galera, each is published once.
 * After a failure, waits delivery_retry_base before it tries again.
 */
void		 amqp_system_step(struct amqp_pub *, const struct cfg *,
		    struct store *, int64_t now);

/*
 * Answer the DE's health pings as the original did: the messages on
 * amqp_ping_queue (declared durable, bound to the exchange with
 * events.notification-agent.ping) each get one pong, routing key
 * events.notification-agent.pong, {"pongFrom": "notification-agent"}.
 * After a failure, waits delivery_retry_base before it tries again.
 */
void		 amqp_ping_step(struct amqp_pub *, const struct cfg *,
		    int64_t now);

#endif
