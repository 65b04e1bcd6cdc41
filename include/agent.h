#ifndef AGENT_H
#define AGENT_H

/*
 * The notification-agent's push messages (agent.md §5.4), for what
 * carries them outside the dialect's routes: herald dispatch's AMQP
 * publications and herald push's /events frames write the same bytes.
 * Defined in src/api/agent/events.c.
 */
struct jbuf;
struct note;
struct sysnote;

/* {"message":N,"total":unseen}, N as the agent lists it.  0 or -1. */
int	agent_push_note(struct jbuf *, const struct note *, long long unseen);
/* A system notification as the admin endpoints show it (A).  0 or -1. */
int	agent_push_system(struct jbuf *, const struct sysnote *);

#endif
