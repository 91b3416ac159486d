/*
 * sms.c - SMS over the HTTP gateway (DESIGN.md section 10), with libcurl:
 * POST {to, text, sender, reference} as JSON to sms_gateway_url with
 * `Authorization: Bearer <token>` when a token is set. 2xx: accepted;
 * 4xx: refused for good; 5xx, timeouts and connection errors: retry. The
 * reference is the outbox id, so the gateway can drop a repeat. One easy
 * handle lives as long as the notifier, so the connection is reused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "conf.h"
#include "notifier.h"

/* How much of the gateway's answer is read, and how much of it, cleaned,
 * is kept in a 4xx error. Reading more than is kept lets
 * deliver_clean_error() see a phone number or address whole even where
 * the cut falls inside it, so no part of it is kept. */
#define ANSWER_READ 1000
#define ANSWER_KEEP 200
_Static_assert(64 + ANSWER_KEEP < NOTIFIER_ERROR_MAX,
    "the prefix and the kept answer fit in send_result.error");

struct sms_client {
	const struct conf *conf;
	CURL *curl;
	struct curl_slist *headers;
	char answer[ANSWER_READ + 1];
	size_t answer_len;
};

static size_t
on_answer(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sms_client *c = arg;
	size_t len = size * nmemb, room = ANSWER_READ - c->answer_len;

	if (room > 0) {
		if (len < room)
			room = len;
		memcpy(c->answer + c->answer_len, data, room);
		c->answer_len += room;
		c->answer[c->answer_len] = '\0';
	}
	return len;
}

struct sms_client *
sms_client_new(const struct conf *conf)
{
	struct sms_client *c;
	char *auth = NULL;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->conf = conf;
	if ((c->curl = curl_easy_init()) == NULL)
		goto fail;
	c->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (c->headers == NULL)
		goto fail;
	if (conf->sms_gateway_token != NULL && *conf->sms_gateway_token != '\0') {
		struct curl_slist *more;

		if (asprintf(&auth, "Authorization: Bearer %s",
		    conf->sms_gateway_token) < 0) {
			auth = NULL;
			goto fail;
		}
		more = curl_slist_append(c->headers, auth);
		free(auth);
		if (more == NULL)
			goto fail;
		c->headers = more;
	}
	/* Some gateways wait for "100 Continue"; ours answers at once. */
	{
		struct curl_slist *more = curl_slist_append(c->headers, "Expect:");

		if (more == NULL)
			goto fail;
		c->headers = more;
	}
	curl_easy_setopt(c->curl, CURLOPT_URL, conf->sms_gateway_url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, conf->sms_timeout);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, conf->sms_timeout);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "portal-notifier/" PACKAGE_VERSION);
	return c;
fail:
	sms_client_free(c);
	return NULL;
}

void
sms_client_free(struct sms_client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	free(c);
}

/* The request body; NULL when out of memory. Free with free(). */
static char *
request_body(const struct conf *conf, const struct outbox_msg *msg)
{
	struct json_object *o;
	char *body = NULL;
	const char *text;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "to",
	    json_object_new_string(msg->recipient)) == 0 &&
	    json_object_object_add(o, "text",
	    json_object_new_string(msg->body)) == 0 &&
	    json_object_object_add(o, "sender",
	    json_object_new_string(conf->sms_sender)) == 0 &&
	    json_object_object_add(o, "reference",
	    json_object_new_string(msg->id)) == 0 &&
	    (text = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) != NULL)
		body = strdup(text);
	json_object_put(o);
	return body;
}

void
sms_send(struct sms_client *c, const struct outbox_msg *msg,
    struct send_result *result)
{
	char *body, prefix[64];
	CURLcode cc;
	long status = 0;

	memset(result, 0, sizeof(*result));
	if ((body = request_body(c->conf, msg)) == NULL) {
		result->outcome = SEND_RETRY;
		snprintf(result->error, sizeof(result->error), "out of memory");
		return;
	}
	c->answer_len = 0;
	c->answer[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	cc = curl_easy_perform(c->curl);
	/* The body (perhaps a sign-in code) leaves no copy behind. */
	memset(body, 0, strlen(body));
	free(body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
	if (cc != CURLE_OK) {
		result->outcome = SEND_RETRY;
		deliver_clean_error(result->error, sizeof(result->error),
		    "gateway not reached: ", curl_easy_strerror(cc),
		    strlen(curl_easy_strerror(cc)));
		return;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300) {
		result->outcome = SEND_OK;
		return;
	}
	snprintf(prefix, sizeof(prefix), "gateway answered %ld: ", status);
	result->outcome = status >= 400 && status < 500 ? SEND_PERMANENT :
	    SEND_RETRY;
	deliver_clean_error(result->error, strlen(prefix) + ANSWER_KEEP + 1,
	    prefix, c->answer, c->answer_len);
}
