/*
 * AMQP publication (issue L), librabbitmq.  Unlike the original's
 * fire-and-forget, a message leaves the outbox only when the broker has
 * confirmed it (publisher confirms): an unreachable broker, a refused or
 * unconfirmed publish leave the row pending, retried with the outbox's
 * backoff.  The connection is kept across jobs; a broken one is dropped
 * and the job tried once more on a new one, so a broker restart costs no
 * retry delay.  A confirmed publish whose outcome the database then
 * refuses is published again: at least once, never before the commit.
 */
#include "config.h"

#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>

#include "agent.h"
#include "amqp_pub.h"
#include "cfg.h"
#include "jbuf.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define AMQP_CHANNEL	1
#define AMQP_BODY_MAX	(8 * 1024 * 1024)
#define AMQP_KEY_MAX	255	/* a short string */
#define SYS_BATCH	10
#define PING_KEY	"events.notification-agent.ping"
#define PONG_KEY	"events.notification-agent.pong"
/* The original's pong: protobuf's JsonFormat printer, pretty. */
#define PONG_BODY	"{\n  \"pongFrom\": \"notification-agent\"\n}"
#define PING_BATCH	16	/* pings answered in one step */

struct amqp_pub {
	amqp_connection_state_t	 conn;
	unsigned char		 owner[16];	/* system notifications' leases */
	uint64_t		 tag;	/* the last delivery tag used */
	int64_t			 sys_next;	/* system step: not before */
	int64_t			 ping_next;	/* ping step: not before */
	int			 ping_bound;	/* its queue, on this conn */
};

struct amqp_pub *
amqp_pub_new(void)
{
	struct amqp_pub	*p;

	if ((p = calloc(1, sizeof(*p))) != NULL)
		util_uuid_new(p->owner);
	return p;
}

void
amqp_pub_close(struct amqp_pub *p)
{
	if (p == NULL || p->conn == NULL)
		return;
	/* Best effort, bounded by the RPC timeout. */
	amqp_channel_close(p->conn, AMQP_CHANNEL, AMQP_REPLY_SUCCESS);
	amqp_connection_close(p->conn, AMQP_REPLY_SUCCESS);
	amqp_destroy_connection(p->conn);
	p->conn = NULL;
	p->tag = 0;
	p->ping_bound = 0;
}

static void
pub_drop(struct amqp_pub *p)
{
	if (p->conn != NULL)
		amqp_destroy_connection(p->conn);
	p->conn = NULL;
	p->tag = 0;
	p->ping_bound = 0;
}

void
amqp_pub_free(struct amqp_pub *p)
{
	amqp_pub_close(p);
	free(p);
}

/* The reason of an RPC reply that failed, into "err". */
static int
rpc_failed(amqp_rpc_reply_t r, const char *what, char *err, size_t errsz)
{
	const amqp_connection_close_t	*cc;
	const amqp_channel_close_t	*ch;

	switch (r.reply_type) {
	case AMQP_RESPONSE_NORMAL:
		return 0;
	case AMQP_RESPONSE_LIBRARY_EXCEPTION:
		snprintf(err, errsz, "amqp: %s: %s", what,
		    amqp_error_string2(r.library_error));
		break;
	case AMQP_RESPONSE_SERVER_EXCEPTION:
		if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
			cc = r.reply.decoded;
			snprintf(err, errsz, "amqp: %s: %u %.*s", what,
			    cc->reply_code, (int)cc->reply_text.len,
			    (const char *)cc->reply_text.bytes);
		} else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
			ch = r.reply.decoded;
			snprintf(err, errsz, "amqp: %s: %u %.*s", what,
			    ch->reply_code, (int)ch->reply_text.len,
			    (const char *)ch->reply_text.bytes);
		} else
			snprintf(err, errsz, "amqp: %s: server method %08x",
			    what, r.reply.id);
		break;
	default:
		snprintf(err, errsz, "amqp: %s: no reply", what);
		break;
	}
	return -1;
}

/* The time left until "deadline" (ms), at least a millisecond. */
static struct timeval
pub_left(int64_t deadline)
{
	struct timeval	tv;
	int64_t		left = deadline - util_now_ms();

	if (left < 1)
		left = 1;
	tv.tv_sec = (time_t)(left / 1000);
	tv.tv_usec = (suseconds_t)(left % 1000) * 1000;
	return tv;
}

/*
 * Connect, log in, open the channel in confirm mode, declare the
 * exchange, all by "deadline".
 */
static int
pub_connect(struct amqp_pub *p, const struct cfg *cfg, int64_t deadline,
    char *err, size_t errsz)
{
	struct amqp_connection_info	 ci;
	struct timeval			 tv = pub_left(deadline);
	amqp_socket_t			*sock;
	char				*url;
	const char			*pw;
	int				 rc;

	if ((url = strdup(cfg->amqp_url)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	amqp_default_connection_info(&ci);
	if (amqp_parse_url(url, &ci) != AMQP_STATUS_OK) {
		/* Never the URL itself: it holds the password. */
		snprintf(err, errsz, "amqp: amqp_url cannot be parsed");
		free(url);
		return -1;
	}
	/* amqp_password_file, when set, wins over the URL's password. */
	pw = cfg->amqp_password_file[0] != '\0' ? cfg->amqp_password :
	    ci.password;
	if ((p->conn = amqp_new_connection()) == NULL) {
		snprintf(err, errsz, "out of memory");
		free(url);
		return -1;
	}
	sock = ci.ssl ? amqp_ssl_socket_new(p->conn) :
	    amqp_tcp_socket_new(p->conn);
	if (sock == NULL) {
		snprintf(err, errsz, "amqp: no socket");
		goto fail;
	}
	amqp_set_handshake_timeout(p->conn, &tv);
	amqp_set_rpc_timeout(p->conn, &tv);
	if ((rc = amqp_socket_open_noblock(sock, ci.host, ci.port, &tv)) !=
	    AMQP_STATUS_OK) {
		snprintf(err, errsz, "amqp: connect to %.*s:%d: %s",
		    (int)util_utf8_trunc(ci.host, 200), ci.host, ci.port,
		    amqp_error_string2(rc));
		goto fail;
	}
	tv = pub_left(deadline);
	amqp_set_handshake_timeout(p->conn, &tv);
	/* No heartbeat: a dead connection shows at the next publish. */
	if (rpc_failed(amqp_login(p->conn, ci.vhost, 0, 131072, 0,
	    AMQP_SASL_METHOD_PLAIN, ci.user, pw), "login", err,
	    errsz) != 0)
		goto fail;
	tv = pub_left(deadline);	/* each step in what is left */
	amqp_set_rpc_timeout(p->conn, &tv);
	amqp_channel_open(p->conn, AMQP_CHANNEL);
	if (rpc_failed(amqp_get_rpc_reply(p->conn), "channel", err,
	    errsz) != 0)
		goto fail;
	tv = pub_left(deadline);
	amqp_set_rpc_timeout(p->conn, &tv);
	amqp_confirm_select(p->conn, AMQP_CHANNEL);
	if (rpc_failed(amqp_get_rpc_reply(p->conn), "confirm mode", err,
	    errsz) != 0)
		goto fail;
	tv = pub_left(deadline);
	amqp_set_rpc_timeout(p->conn, &tv);
	/* Topic, durable, as the original declared it. */
	amqp_exchange_declare(p->conn, AMQP_CHANNEL,
	    amqp_cstring_bytes(cfg->amqp_exchange), amqp_cstring_bytes("topic"),
	    0, 1, 0, 0, amqp_empty_table);
	if (rpc_failed(amqp_get_rpc_reply(p->conn), "exchange", err,
	    errsz) != 0)
		goto fail;
	p->tag = 0;
	/* ci points into url. */
	log_info("amqp: connected to %.*s:%d",
	    (int)util_utf8_trunc(ci.host, 200), ci.host, ci.port);
	free(url);
	return 0;
fail:
	free(url);
	pub_drop(p);
	return -1;
}

/*
 * Wait for the broker's confirm of delivery "tag".  0 acked, 1 nacked
 * (the connection is fine), -1 the connection is gone or timed out.
 */
static int
pub_confirm(struct amqp_pub *p, const struct cfg *cfg, uint64_t tag,
    int64_t deadline, char *err, size_t errsz)
{
	amqp_frame_t		 f;
	struct timeval		 tv;
	const amqp_basic_ack_t	*ack;
	const amqp_basic_nack_t	*nack;
	int			 rc;

	for (;;) {
		if (util_now_ms() >= deadline) {
			snprintf(err, errsz, "amqp: no confirm within %u s",
			    cfg->send_timeout);
			return -1;
		}
		tv = pub_left(deadline);
		rc = amqp_simple_wait_frame_noblock(p->conn, &f, &tv);
		if (rc != AMQP_STATUS_OK) {
			snprintf(err, errsz, "amqp: waiting for the confirm: %s",
			    amqp_error_string2(rc));
			return -1;
		}
		if (f.frame_type != AMQP_FRAME_METHOD)
			continue;
		switch (f.payload.method.id) {
		case AMQP_BASIC_ACK_METHOD:
			ack = f.payload.method.decoded;
			if (ack->delivery_tag == tag ||
			    (ack->multiple && ack->delivery_tag >= tag))
				return 0;
			break;
		case AMQP_BASIC_NACK_METHOD:
			nack = f.payload.method.decoded;
			if (nack->delivery_tag == tag ||
			    (nack->multiple && nack->delivery_tag >= tag)) {
				snprintf(err, errsz, "amqp: the broker "
				    "refused the message (nack)");
				return 1;
			}
			break;
		case AMQP_CHANNEL_CLOSE_METHOD:
		case AMQP_CONNECTION_CLOSE_METHOD:
			snprintf(err, errsz, "amqp: the broker closed the "
			    "%s", f.payload.method.id ==
			    AMQP_CHANNEL_CLOSE_METHOD ? "channel" :
			    "connection");
			return -1;
		default:
			break;
		}
	}
}

/* One publish on the current connection: 0, 1 nacked, -1 broken. */
static int
pub_once(struct amqp_pub *p, const struct cfg *cfg, const char *key,
    const char *body, size_t len, const unsigned char msgid[16],
    int64_t deadline, char *err, size_t errsz)
{
	amqp_basic_properties_t	props;
	char			id[UUID_STR_LEN];
	amqp_bytes_t		b;
	int			rc;

	util_uuid_format(msgid, 0, id);
	memset(&props, 0, sizeof(props));
	props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG |
	    AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG;
	props.content_type = amqp_cstring_bytes("application/json");
	props.delivery_mode = 2;	/* persistent */
	/* The outbox row's id: a consumer can tell a republication. */
	props.message_id = amqp_cstring_bytes(id);
	b.len = len;
	b.bytes = (void *)(uintptr_t)body;
	rc = amqp_basic_publish(p->conn, AMQP_CHANNEL,
	    amqp_cstring_bytes(cfg->amqp_exchange), amqp_cstring_bytes(key),
	    0, 0, &props, b);
	if (rc != AMQP_STATUS_OK) {
		snprintf(err, errsz, "amqp: publish: %s",
		    amqp_error_string2(rc));
		return -1;
	}
	rc = pub_confirm(p, cfg, ++p->tag, deadline, err, errsz);
	amqp_maybe_release_buffers(p->conn);
	return rc;
}

/*
 * Publish and wait for the confirm, within send_timeout (the lease is
 * renewed for one send); a kept connection found broken is replaced once.
 */
static enum send_rc
pub_send(struct amqp_pub *p, const struct cfg *cfg, const char *key,
    const char *body, size_t len, const unsigned char msgid[16], char *err,
    size_t errsz)
{
	int64_t	deadline = util_now_ms() + (int64_t)cfg->send_timeout * 1000;
	int	kept, rc;

	if (cfg->amqp_url[0] == '\0') {
		snprintf(err, errsz, "amqp_url is not configured");
		return SEND_RETRY;
	}
	kept = p->conn != NULL;
	if (!kept && pub_connect(p, cfg, deadline, err, errsz) != 0)
		return SEND_RETRY;
	rc = pub_once(p, cfg, key, body, len, msgid, deadline, err, errsz);
	if (rc < 0 && kept && util_now_ms() < deadline) {
		log_info("amqp: the connection was lost (%s); reconnecting",
		    err);
		pub_drop(p);
		if (pub_connect(p, cfg, deadline, err, errsz) != 0)
			return SEND_RETRY;
		rc = pub_once(p, cfg, key, body, len, msgid, deadline, err,
		    errsz);
	}
	if (rc < 0)
		pub_drop(p);
	return rc == 0 ? SEND_OK : SEND_RETRY;
}

/* What the job needs of its notification, the first read. */
struct note_peek {
	unsigned char	 user_id[16];
	int		 found, deleted;
};

static int
note_peek_row(const struct note *n, void *arg)
{
	struct note_peek	*k = arg;

	memcpy(k->user_id, n->user_id, 16);
	k->deleted = n->deleted;
	k->found = 1;
	return 1;
}

struct note_render {
	struct jbuf	*b;
	long long	 unseen;
	char		 key[AMQP_KEY_MAX + 1];
	int		 rc;
};

static int
note_render_row(const struct note *n, void *arg)
{
	struct note_render	*r = arg;
	int			 k;

	k = snprintf(r->key, sizeof(r->key), "notification.%s", n->user);
	r->rc = k < 0 || (size_t)k >= sizeof(r->key) ? -2 :
	    agent_push_note(r->b, n, r->unseen);
	return 1;
}

enum send_rc
amqp_send_note(struct amqp_pub *p, const struct cfg *cfg, struct store *st,
    const unsigned char id[16], const unsigned char note_id[16], char *err,
    size_t errsz)
{
	struct note_peek	 k;
	struct note_render	 r;
	struct note_counts	 counts = { 0, 0 };
	struct jbuf		 b;
	char			 tenant[65];
	enum store_rc		 rc;
	enum send_rc		 sr;

	memset(&k, 0, sizeof(k));
	if ((rc = store_note_tenant(st, note_id, tenant, sizeof(tenant))) ==
	    STORE_OK)
		rc = store_note_get(st, tenant, note_id, note_peek_row, &k);
	if (rc == STORE_NOTFOUND) {
		snprintf(err, errsz, "the notification is gone");
		return SEND_FAIL;
	}
	if (rc != STORE_OK || !k.found ||
	    store_counts_by_id(st, k.user_id, &counts) != STORE_OK) {
		snprintf(err, errsz, "cannot read the notification");
		return SEND_RETRY;
	}
	/* Deleted before it could be published: nothing to show. */
	if (k.deleted)
		return SEND_OK;
	jbuf_init(&b, AMQP_BODY_MAX);
	memset(&r, 0, sizeof(r));
	r.b = &b;
	r.unseen = counts.unread;
	r.rc = -1;
	rc = store_note_get(st, tenant, note_id, note_render_row, &r);
	if (rc != STORE_OK || r.rc == -1 || b.over) {
		snprintf(err, errsz, rc == STORE_OK ? "cannot render the "
		    "notification" : "cannot read the notification");
		sr = rc == STORE_OK ? SEND_FAIL : SEND_RETRY;
	} else if (r.rc == -2) {
		snprintf(err, errsz, "the routing key would be longer than "
		    "%d bytes", AMQP_KEY_MAX);
		sr = SEND_FAIL;
	} else
		sr = pub_send(p, cfg, r.key, b.buf, b.len, id, err, errsz);
	jbuf_free(&b);
	return sr;
}

/* A due system notification, copied out of the row. */
struct sys_due {
	struct sysnote	 s;
	char		*type, *message;
};

struct sys_batch {
	struct sys_due	 v[SYS_BATCH];
	size_t		 n;
	int		 failed;
};

static int
sys_due_row(const struct sysnote *s, const char *tenant, void *arg)
{
	struct sys_batch	*b = arg;
	struct sys_due		*d;

	(void)tenant;
	if (b->n == SYS_BATCH)
		return 1;
	d = &b->v[b->n++];
	d->s = *s;
	d->type = strdup(s->type);
	d->message = strdup(s->message);
	if (d->type == NULL || d->message == NULL)
		b->failed = 1;
	d->s.type = d->type;
	d->s.message = d->message;
	return 0;
}

void
amqp_system_step(struct amqp_pub *p, const struct cfg *cfg, struct store *st,
    int64_t now)
{
	struct sys_batch	 sb;
	struct jbuf		 b;
	char			 err[512] = "", id[UUID_STR_LEN];
	enum store_rc		 rc;
	enum send_rc		 sr;
	size_t			 i, done = 0;
	int			 limit;

	if (cfg->amqp_url[0] == '\0' || now < p->sys_next)
		return;
	memset(&sb, 0, sizeof(sb));
	/* dispatch_batch x send_timeout < delivery_lease (cfg_check). */
	limit = cfg->dispatch_batch < SYS_BATCH ? cfg->dispatch_batch :
	    SYS_BATCH;
	rc = store_sys_claim_publish(st, p->owner, now, now +
	    (int64_t)cfg->delivery_lease * 1000, limit, sys_due_row, &sb);
	if (rc != STORE_OK || sb.failed) {
		/* What was leased is taken again when the lease ends. */
		log_warn("amqp: cannot take the due system notifications now");
		p->sys_next = now + (int64_t)cfg->delivery_retry_base * 1000;
		goto out;
	}
	for (i = 0; i < sb.n; i++) {
		util_uuid_format(sb.v[i].s.id, 0, id);
		jbuf_init(&b, AMQP_BODY_MAX);
		if (agent_push_system(&b, &sb.v[i].s) != 0 || b.over) {
			snprintf(err, sizeof(err), "cannot render it");
			sr = SEND_RETRY;
		} else
			sr = pub_send(p, cfg, "system_message", b.buf, b.len,
			    sb.v[i].s.id, err, sizeof(err));
		jbuf_free(&b);
		if (sr != SEND_OK) {
			log_warn("amqp: system notification %s not published: "
			    "%s", id, err);
			/* Given back: tried again after the back-off (or by
			 * another dispatcher), not after the lease. */
			(void)store_sys_release(st, p->owner);
			p->sys_next = now +
			    (int64_t)cfg->delivery_retry_base * 1000;
			break;
		}
		rc = store_sys_published(st, sb.v[i].s.id, p->owner,
		    util_now_ms());
		if (rc == STORE_OK)
			done++;
		else
			log_warn("amqp: system notification %s published, but "
			    "%s", id, rc == STORE_NOTFOUND ? "changed or taken "
			    "over meanwhile" : "not marked: it will be published "
			    "again");
	}
	if (done > 0)
		log_info("amqp: %zu system notification(s) published", done);
out:
	for (i = 0; i < sb.n; i++) {
		free(sb.v[i].type);
		free(sb.v[i].message);
	}
}

/* --- the DE's health pings ---------------------------------------------- */

/*
 * The queue the original declared (durable), bound to the exchange for
 * pings: several dispatchers share it, so each ping gets one pong.
 */
static int
ping_bind(struct amqp_pub *p, const struct cfg *cfg, int64_t deadline,
    char *err, size_t errsz)
{
	struct timeval	tv = pub_left(deadline);

	amqp_set_rpc_timeout(p->conn, &tv);
	amqp_queue_declare(p->conn, AMQP_CHANNEL,
	    amqp_cstring_bytes(cfg->amqp_ping_queue), 0, 1, 0, 0,
	    amqp_empty_table);
	if (rpc_failed(amqp_get_rpc_reply(p->conn), "ping queue", err,
	    errsz) != 0)
		return -1;
	tv = pub_left(deadline);
	amqp_set_rpc_timeout(p->conn, &tv);
	amqp_queue_bind(p->conn, AMQP_CHANNEL,
	    amqp_cstring_bytes(cfg->amqp_ping_queue),
	    amqp_cstring_bytes(cfg->amqp_exchange),
	    amqp_cstring_bytes(PING_KEY), amqp_empty_table);
	if (rpc_failed(amqp_get_rpc_reply(p->conn), "ping binding", err,
	    errsz) != 0)
		return -1;
	p->ping_bound = 1;
	return 0;
}

/*
 * Skip the content of the message basic.get-ok announced, frame by
 * frame: a ping's body is never read, so a large one costs no memory.
 */
static int
ping_skip(struct amqp_pub *p, int64_t deadline, char *err, size_t errsz)
{
	amqp_frame_t	f;
	struct timeval	tv;
	uint64_t	size = 0, got = 0;
	int		rc, header = 0;

	while (!header || got < size) {
		tv = pub_left(deadline);
		if ((rc = amqp_simple_wait_frame_noblock(p->conn, &f, &tv)) !=
		    AMQP_STATUS_OK) {
			snprintf(err, errsz, "amqp: reading a ping: %s",
			    amqp_error_string2(rc));
			return -1;
		}
		if (f.channel != AMQP_CHANNEL)
			continue;
		if (!header && f.frame_type == AMQP_FRAME_HEADER) {
			size = f.payload.properties.body_size;
			header = 1;
		} else if (header && f.frame_type == AMQP_FRAME_BODY)
			got += f.payload.body_fragment.len;
		else {
			snprintf(err, errsz, "amqp: reading a ping: frame %u",
			    (unsigned int)f.frame_type);
			return -1;
		}
	}
	amqp_maybe_release_buffers(p->conn);
	return 0;
}

void
amqp_ping_step(struct amqp_pub *p, const struct cfg *cfg, int64_t now)
{
	amqp_rpc_reply_t		 r;
	const amqp_basic_get_ok_t	*ok;
	struct timeval			 tv;
	unsigned char			 id[16];
	char				 err[512] = "";
	int64_t				 deadline;
	uint64_t			 tag;
	int				 i, answered = 0;

	if (cfg->amqp_url[0] == '\0' || cfg->amqp_ping_queue[0] == '\0' ||
	    now < p->ping_next)
		return;
	deadline = now + (int64_t)cfg->send_timeout * 1000;
	if (p->conn == NULL && pub_connect(p, cfg, deadline, err,
	    sizeof(err)) != 0)
		goto fail;
	if (!p->ping_bound && ping_bind(p, cfg, deadline, err,
	    sizeof(err)) != 0)
		goto fail;
	/* basic.get, not a consumer: no delivery can arrive in the middle
	 * of a publish's wait for its confirm. */
	for (i = 0; i < PING_BATCH; i++) {
		tv = pub_left(deadline);
		amqp_set_rpc_timeout(p->conn, &tv);
		r = amqp_basic_get(p->conn, AMQP_CHANNEL,
		    amqp_cstring_bytes(cfg->amqp_ping_queue), 0);
		if (rpc_failed(r, "ping get", err, sizeof(err)) != 0)
			goto fail;
		if (r.reply.id != AMQP_BASIC_GET_OK_METHOD)
			break;	/* get-empty */
		ok = r.reply.decoded;
		tag = ok->delivery_tag;
		if (ping_skip(p, deadline, err, sizeof(err)) != 0)
			goto fail;
		/* Acked first, as the original: a lost pong is a lost ping,
		 * and the next one is answered. */
		if (amqp_basic_ack(p->conn, AMQP_CHANNEL, tag, 0) !=
		    AMQP_STATUS_OK) {
			snprintf(err, sizeof(err), "amqp: ping ack failed");
			goto fail;
		}
		util_uuid_new(id);
		if (pub_once(p, cfg, PONG_KEY, PONG_BODY, sizeof(PONG_BODY) - 1,
		    id, deadline, err, sizeof(err)) != 0)
			goto fail;
		answered++;
	}
	if (answered > 0)
		log_debug("amqp: %d ping(s) answered", answered);
	return;
fail:
	log_warn("amqp: cannot answer pings now: %s", err);
	pub_drop(p);
	p->ping_next = now + (int64_t)cfg->delivery_retry_base * 1000;
}
