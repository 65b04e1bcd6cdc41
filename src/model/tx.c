/*
 * Retrying a write.  On a multi-primary cluster (Galera) a transaction
 * can be rolled back at commit by a certification conflict, which the
 * server reports as a deadlock; InnoDB alone rolls back deadlock victims
 * too.  Such a transaction applied nothing, so the model runs the whole
 * of it again, a bounded number of times, and answers 503 only when the
 * conflicts outlast the retries.  The store retries a lone autocommit
 * statement itself (db.c); this is for the model's transactions.
 */
#include "config.h"

#include "herr.h"
#include "log.h"
#include "model.h"
#include "store.h"

int
model_tx(const struct ctx *c, model_tx_fn fn, void *arg, struct herr *e)
{
	int	attempt, rc;

	/* Nested in a caller's transaction: the retry is the caller's. */
	if (store_in_tx(c->st))
		return fn(c, arg, e);
	for (attempt = 1;; attempt++) {
		store_retry_reset(c->st);
		if ((rc = fn(c, arg, e)) == 0 || !store_retry_wanted(c->st))
			return rc;
		if (attempt >= MODEL_TX_TRIES) {
			log_warn("a write still conflicted after %d attempts",
			    attempt);
			return rc;
		}
		herr_init(e);
		store_backoff(attempt);
	}
}
