/*
 * Coder's template texts (Go text/template) as far as its seeded and
 * custom templates use them: field and label references.  Anything else
 * inside {{ }} is refused rather than guessed at.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonio.h"
#include "model.h"
#include "tmpl.h"

/* The value of one action's text (trimmed), or NULL when unsupported. */
static const char *
render_value(const char *a, size_t n, const char *user, const char *email,
    const char *const *labels, size_t nlabels)
{
	static const char	lp[] = ".Labels.";
	size_t			i, kl;

	if (n == 9 && memcmp(a, ".UserName", 9) == 0)
		return user;
	if (n == 13 && memcmp(a, ".UserUsername", 13) == 0)
		return user;
	if (n == 10 && memcmp(a, ".UserEmail", 10) == 0)
		return email != NULL ? email : "";
	if (n <= sizeof(lp) - 1 || memcmp(a, lp, sizeof(lp) - 1) != 0)
		return NULL;
	a += sizeof(lp) - 1;
	kl = n - (sizeof(lp) - 1);
	for (i = 0; i < kl; i++)
		if (!(a[i] == '_' || (a[i] >= 'a' && a[i] <= 'z') ||
		    (a[i] >= 'A' && a[i] <= 'Z') || (a[i] >= '0' &&
		    a[i] <= '9')))
			return NULL;
	/* Go's map[string]string: a missing label is the empty string. */
	for (i = 0; i < nlabels; i++)
		if (strlen(labels[2 * i]) == kl &&
		    memcmp(labels[2 * i], a, kl) == 0)
			return labels[2 * i + 1];
	return "";
}

struct tmpl_args {
	const char		*user;
	const char		*email;
	const char *const	*labels;
	size_t			 nlabels;
};

static const char *
tmpl_value(const char *a, size_t n, void *arg)
{
	const struct tmpl_args	*t = arg;

	return render_value(a, n, t->user, t->email, t->labels, t->nlabels);
}

int
model_tmpl_render(const char *tmpl, const char *user, const char *email,
    const char *const *labels, size_t nlabels, size_t max, char **out,
    char *err, size_t errsz)
{
	struct tmpl_args	 t = { user, email, labels, nlabels };
	const char		*bad = NULL;
	size_t			 n = 0;

	switch (tmpl_expand(tmpl, tmpl_value, &t, 0, max, out, &bad, &n)) {
	case TMPL_OK:
		return 0;
	case TMPL_UNCLOSED:
		snprintf(err, errsz, "unclosed action");
		return -1;
	case TMPL_UNKNOWN:
		snprintf(err, errsz, "unsupported action {{%.*s}}",
		    (int)(n > 64 ? 64 : n), bad);
		return -1;
	default:
		snprintf(err, errsz, "the rendered text is too long");
		return -1;
	}
}

/* One action's "label" or "url", rendered into "to" under "key". */
static int
action_put(struct json_object *from, struct json_object *to,
    const char *key, size_t max, const struct tmpl_args *t, char *err,
    size_t errsz)
{
	struct json_object	*v;
	char			*out = NULL;
	int			 rc;

	if (!json_object_object_get_ex(from, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(err, errsz, "an action without a %s", key);
		return -1;
	}
	if ((rc = model_tmpl_render(json_object_get_string(v), t->user,
	    t->email, t->labels, t->nlabels, max, &out, err, errsz)) != 0)
		return rc;
	json_object_object_add(to, key, json_object_new_string(out));
	free(out);
	return 0;
}

int
model_tmpl_render_actions(const char *actions, const char *user,
    const char *email, const char *const *labels, size_t nlabels,
    char **out, char *err, size_t errsz)
{
	struct tmpl_args	 t = { user, email, labels, nlabels };
	struct json_object	*in = NULL, *arr, *a, *o;
	const char		*text;
	size_t			 i, n, len;
	int			 rc = -1;

	*out = NULL;
	/*
	 * Each label and URL on its own, not the array's text as Coder
	 * does: a label's quote cannot break the JSON.
	 */
	if (jsonio_parse(actions, strlen(actions), 4, &in) != JSONIO_OK ||
	    !json_object_is_type(in, json_type_array) ||
	    (n = json_object_array_length(in)) > NOTE_ACTIONS_MAX) {
		json_object_put(in);
		snprintf(err, errsz, "the actions are not an array of at most "
		    "%d objects", NOTE_ACTIONS_MAX);
		return -1;
	}
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		a = json_object_array_get_idx(in, i);
		o = json_object_new_object();
		json_object_array_add(arr, o);
		if (!json_object_is_type(a, json_type_object) ||
		    action_put(a, o, "label", NOTE_ACTION_LABEL_MAX * 4, &t,
		    err, errsz) != 0 || action_put(a, o, "url", NOTE_LINK_MAX,
		    &t, err, errsz) != 0)
			goto out;
	}
	if ((text = jsonio_text(arr, &len)) == NULL ||
	    (*out = strdup(text)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	rc = 0;
out:
	json_object_put(arr);
	json_object_put(in);
	return rc;
}

/*
 * FOLIO (issue I): mod-template-engine's Mustache as far as its
 * variables go.  A name is [A-Za-z0-9_.-]; one without a value renders
 * empty, as in Mustache; sections, partials and the like are refused.
 */
struct vals_args {
	const char *const	*vals;
	size_t			 nvals;
};

static const char *
vals_value(const char *a, size_t n, void *arg)
{
	const struct vals_args	*v = arg;
	size_t			 i;

	if (n == 0)
		return NULL;
	for (i = 0; i < n; i++)
		if (!(a[i] == '_' || a[i] == '.' || a[i] == '-' ||
		    (a[i] >= 'a' && a[i] <= 'z') ||
		    (a[i] >= 'A' && a[i] <= 'Z') ||
		    (a[i] >= '0' && a[i] <= '9')))
			return NULL;
	for (i = 0; i < v->nvals; i++)
		if (strlen(v->vals[2 * i]) == n &&
		    memcmp(v->vals[2 * i], a, n) == 0)
			return v->vals[2 * i + 1];
	return "";
}

int
model_tmpl_render_vals(const char *tmpl, const char *const *vals,
    size_t nvals, int html, size_t max, char **out, char *err, size_t errsz)
{
	struct vals_args	 v = { vals, nvals };
	const char		*bad = NULL;
	size_t			 n = 0;

	switch (tmpl_expand(tmpl, vals_value, &v, html, max, out, &bad, &n)) {
	case TMPL_OK:
		return 0;
	case TMPL_UNCLOSED:
		snprintf(err, errsz, "unclosed tag in template");
		return -1;
	case TMPL_UNKNOWN:
		snprintf(err, errsz, "unsupported tag {{%.*s}} in template",
		    (int)(n > 64 ? 64 : n), bad);
		return -1;
	default:
		snprintf(err, errsz, "the rendered message is too long");
		return -1;
	}
}
