/* Sending: SMTP and webhooks, with libcurl, each bounded in time. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "cfg.h"
#include "send.h"
#include "util.h"

struct upload {
	const char	*p;
	size_t		 left;
};

static size_t
upload_read(char *dst, size_t size, size_t n, void *arg)
{
	struct upload	*u = arg;
	size_t		 k = size * n < u->left ? size * n : u->left;

	memcpy(dst, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* Header text: no CR or LF may reach a header line. */
static void
hdr_clean(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n')
			*s = ' ';
}

/*
 * Encoded words of "s" (RFC 2047 §2, §5): each at most 75 characters and
 * holding whole characters, one a line, the first after "Subject: ".
 * Writes to "out" when it is not NULL; returns the length either way.
 */
static size_t
subject_words(const char *s, char *out)
{
	size_t	len = strlen(s), at = 0, olen = 0, take, room, b64;

	while (at < len) {
		/* Bytes whose base64 fits: 9 + 12 + b64 <= 76, then 1 + 12. */
		room = (olen == 0 ? 76 - SUBJECT_PREFIX - 12 : 75 - 12) / 4 * 3;
		if ((take = util_utf8_trunc(s + at, room)) == 0)
			take = 1;	/* not UTF-8: one byte, but progress */
		b64 = 4 * ((take + 2) / 3);
		if (out != NULL) {
			if (olen > 0)
				memcpy(out + olen, "\r\n ", 3);
			memcpy(out + olen + (olen > 0 ? 3 : 0), "=?UTF-8?B?", 10);
			EVP_EncodeBlock((unsigned char *)out + olen +
			    (olen > 0 ? 3 : 0) + 10,
			    (const unsigned char *)s + at, (int)take);
			memcpy(out + olen + (olen > 0 ? 3 : 0) + 10 + b64, "?=",
			    2);
		}
		olen += (olen > 0 ? 3 : 0) + 12 + b64;
		at += take;
	}
	return olen;
}

char *
send_subject_header(const char *subject)
{
	char	*clean, *out;
	size_t	 len, i, n;
	int	 ascii = 1;

	if ((clean = strdup(subject)) == NULL)
		return NULL;
	hdr_clean(clean);
	len = strlen(clean);
	for (i = 0; i < len; i++)
		if ((unsigned char)clean[i] >= 0x80)
			ascii = 0;
	/* Plain ASCII within RFC 5322's 998 is fine as it is. */
	if (ascii && SUBJECT_PREFIX + len <= 998)
		return clean;
	n = subject_words(clean, NULL);
	if ((out = malloc(n + 1)) != NULL) {
		subject_words(clean, out);
		out[n] = '\0';
	}
	free(clean);
	return out;
}

/* The message: headers, blank line, body with CRLF line ends. */
static char *
smtp_message(const struct cfg *cfg, const char *to, const char *subject,
    const char *body, int html, const unsigned char msgid[16])
{
	char		 date[64], id[UUID_STR_LEN], *subj, *msg, *w, *rcpt;
	char		 from[CFG_STR_MAX];
	struct tm	 tm;
	time_t		 now = time(NULL);
	size_t		 head, blen = strlen(body), i;
	int		 n;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	util_uuid_format(msgid, 0, id);
	snprintf(from, sizeof(from), "%s", cfg->smtp_from);
	/* The whole address: a cut one could split a character. */
	if ((rcpt = strdup(to)) == NULL)
		return NULL;
	hdr_clean(from);
	hdr_clean(rcpt);
	if ((subj = send_subject_header(subject)) == NULL) {
		free(rcpt);
		return NULL;
	}
	head = 512 + strlen(from) + strlen(rcpt) + strlen(subj);
	if ((msg = malloc(head + 2 * blen + 3)) == NULL) {
		free(subj);
		free(rcpt);
		return NULL;
	}
	n = snprintf(msg, head, "Date: %s\r\nFrom: %s\r\nTo: %s\r\n"
	    "Subject: %s\r\nMessage-ID: <%s@herald>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/%s; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n", date, from, rcpt, subj,
	    id, html ? "html" : "plain");
	free(subj);
	free(rcpt);
	if (n < 0 || (size_t)n >= head) {
		free(msg);
		return NULL;
	}
	w = msg + n;
	for (i = 0; i < blen; i++) {
		if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r'))
			*w++ = '\r';
		*w++ = body[i];
	}
	*w++ = '\r';
	*w++ = '\n';
	*w = '\0';
	return msg;
}

enum send_rc
send_smtp(const struct cfg *cfg, const char *to, const char *subject,
    const char *body, int html, const unsigned char msgid[16], char *err,
    size_t errsz)
{
	CURL			*c;
	struct curl_slist	*rcpt = NULL;
	struct upload		 up;
	char			*msg;
	long			 code = 0;
	CURLcode		 cc;
	enum send_rc		 rc = SEND_RETRY;

	if ((msg = smtp_message(cfg, to, subject, body, html, msgid)) == NULL) {
		snprintf(err, errsz, "cannot build the message");
		return SEND_RETRY;
	}
	if ((c = curl_easy_init()) == NULL ||
	    (rcpt = curl_slist_append(NULL, to)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	up.p = msg;
	up.left = strlen(msg);
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, cfg->smtp_from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg->send_timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USE_SSL,
	    strcmp(cfg->smtp_tls, "required") == 0 ? (long)CURLUSESSL_ALL :
	    strcmp(cfg->smtp_tls, "try") == 0 ? (long)CURLUSESSL_TRY :
	    (long)CURLUSESSL_NONE);
	if (cfg->smtp_user[0] != '\0') {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
	}
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_OK)
		rc = SEND_OK;
	else {
		/* A 5xx reply is the server's final word; the rest may pass. */
		rc = code >= 500 && code < 600 ? SEND_FAIL : SEND_RETRY;
		snprintf(err, errsz, "smtp: %s (reply %ld)",
		    curl_easy_strerror(cc), code);
	}
out:
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	free(msg);
	return rc;
}

enum send_rc
send_webhook(const struct cfg *cfg, const char *json,
    const unsigned char msgid[16], char *err, size_t errsz)
{
	CURL			*c;
	struct curl_slist	*h = NULL, *h2;
	char			 hdr[64], id[UUID_STR_LEN];
	long			 code = 0;
	CURLcode		 cc;
	enum send_rc		 rc = SEND_RETRY;

	if (cfg->webhook_url[0] == '\0') {
		snprintf(err, errsz, "webhook_url is not configured");
		return SEND_FAIL;
	}
	util_uuid_format(msgid, 0, id);
	snprintf(hdr, sizeof(hdr), "X-Message-Id: %s", id);
	if ((c = curl_easy_init()) == NULL ||
	    (h = curl_slist_append(NULL, "Content-Type: application/json")) ==
	    NULL || (h2 = curl_slist_append(h, hdr)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	h = h2;
	curl_easy_setopt(c, CURLOPT_URL, cfg->webhook_url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg->send_timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc != CURLE_OK) {
		snprintf(err, errsz, "webhook: %s", curl_easy_strerror(cc));
		rc = SEND_RETRY;
	} else if (code >= 200 && code < 300)
		rc = SEND_OK;
	else {
		/* 4xx is final, but for "try later" answers. */
		rc = code >= 400 && code < 500 && code != 408 && code != 429 ?
		    SEND_FAIL : SEND_RETRY;
		snprintf(err, errsz, "webhook: HTTP %ld", code);
	}
out:
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc;
}
