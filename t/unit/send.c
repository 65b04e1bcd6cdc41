/* t/unit/send.c -- the Subject header: RFC 2047 words, folded lines. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "send.h"
#include "tap.h"
#include "util.h"

/*
 * Check the folded value "h" of a subject: every line (the first after
 * "Subject: ") at most 76 characters, every word "=?UTF-8?B?...?=" of
 * at most 75 holding whole characters; the words decode to "want".
 */
static void
check_folded(const char *h, const char *want, const char *what)
{
	char		 dec[4096], *copy, *line, *save = NULL;
	unsigned char	 buf[256];
	size_t		 dlen = 0, wlen, maxline = 0, n;
	int		 nwords = 0, bad_word = 0, partial = 0, first = 1, k;

	copy = strdup(h);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!first) {
			if (line[0] != ' ')
				bad_word = 1;	/* folding needs white space */
			line++;
			n--;
		}
		if ((first ? SUBJECT_PREFIX : 1) + n > maxline)
			maxline = (first ? SUBJECT_PREFIX : 1) + n;
		first = 0;
		wlen = strlen(line);
		if (wlen > 75 || wlen < 12 || strncmp(line, "=?UTF-8?B?", 10) != 0 ||
		    strcmp(line + wlen - 2, "?=") != 0) {
			bad_word = 1;
			continue;
		}
		line[wlen - 2] = '\0';
		k = EVP_DecodeBlock(buf, (unsigned char *)line + 10,
		    (int)(wlen - 12));
		if (k < 0) {
			bad_word = 1;
			continue;
		}
		/* EVP_DecodeBlock counts the padding as zero bytes. */
		if (wlen >= 14 && line[wlen - 3] == '=')
			k -= line[wlen - 4] == '=' ? 2 : 1;
		if (!util_utf8_valid((char *)buf, (size_t)k))
			partial = 1;
		if (dlen + (size_t)k < sizeof(dec)) {
			memcpy(dec + dlen, buf, (size_t)k);
			dlen += (size_t)k;
		}
		nwords++;
	}
	dec[dlen] = '\0';
	free(copy);
	ok(!bad_word, "%s: every line one encoded word of <= 75", what);
	ok(maxline <= 76, "%s: lines <= 76 characters (longest %zu)", what,
	    maxline);
	ok(!partial, "%s: every word holds whole characters", what);
	is_str(dec, want, "%s: the words decode to the subject", what);
	ok(nwords > 1, "%s: folded into %d words", what, nwords);
}

int
main(void)
{
	char	 subj[2048], *h;
	size_t	 i;

	h = send_subject_header("Job done");
	is_str(h, "Job done", "short ASCII stays as it is");
	free(h);
	h = send_subject_header("a\r\nBcc: x@example.org");
	ok(h != NULL && strchr(h, '\r') == NULL && strchr(h, '\n') == NULL,
	    "no CR or LF reaches the header");
	free(h);

	/* 400 x "é": 800 bytes, one unfolded word of 1080 before. */
	for (i = 0; i < 400; i++)
		memcpy(subj + 2 * i, "\xc3\xa9", 2);
	subj[800] = '\0';
	h = send_subject_header(subj);
	ok(h != NULL, "a long non-ASCII subject encodes");
	check_folded(h, subj, "400 x U+00E9");
	free(h);

	/* Three- and four-byte characters, so cuts fall mid-character. */
	for (i = 0; i < 100; i++)
		memcpy(subj + 7 * i, "\xe2\x82\xac\xf0\x9f\x98\x80", 7);
	subj[700] = '\0';
	h = send_subject_header(subj);
	check_folded(h, subj, "U+20AC U+1F600 x 100");
	free(h);

	/* ASCII past RFC 5322's 998: encoded and folded as well. */
	memset(subj, 'a', 1200);
	subj[1200] = '\0';
	h = send_subject_header(subj);
	check_folded(h, subj, "1200 x a");
	free(h);
	return done_testing();
}
