/*
 * response.h - answering a stored file (photos, documents, images): the
 * API authorises the request and names the file; nginx sends its bytes
 * from the internal /_files/ location (X-Accel-Redirect), keeping the
 * Content-Type, Content-Disposition and Cache-Control given here and
 * adding nosniff and a Content-Security-Policy that lets nothing in the
 * file run (nginx/portal.conf.in, $portal_csp). The other resp_*()
 * functions are in http.h.
 */
#ifndef PORTAL_RESPONSE_H
#define PORTAL_RESPONSE_H

struct arena;
struct request;

enum resp_disposition { RESP_INLINE, RESP_ATTACHMENT };

/* The code points of a file name kept in Content-Disposition; a longer
 * name is cut, keeping its extension (up to 16 code points with the dot). */
#define RESP_FILE_NAME_MAX 255

/*
 * The Content-Disposition value (RFC 6266) of a file called file_name, in
 * the arena: "inline" or "attachment", then, when the name has anything
 * left after cleaning, `; filename="<fallback>"; filename*=UTF-8''<name>`.
 * Cleaning: invalid UTF-8 bytes and path separators become '_'; control
 * characters (C0, DEL, C1) and bidirectional controls (U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069) go; white space at either end is trimmed;
 * the name is cut to RESP_FILE_NAME_MAX code points. filename* carries the
 * cleaned name percent-encoded outside RFC 5987's attr-char; the ASCII
 * fallback has '_' for every other code point and for ';', and no '"' or
 * '\'. No CR, LF or NUL can reach the header. file_name may be NULL (no
 * name). NULL when out of memory.
 */
const char *resp_content_disposition(struct arena *a,
    enum resp_disposition disp, const char *file_name);

/*
 * Answers a stored file through nginx: 200 with an empty body,
 * X-Accel-Redirect: /_files/<rel> (rel as filestore_path() or photo_path()
 * give it), Content-Type: type (application/octet-stream when type is not
 * a plain lower-case type/subtype), Content-Disposition as
 * resp_content_disposition() makes it, Cache-Control: private, no-store
 * (every string copied into the request arena). file_name may be NULL. A rel that is not a plain relative path (no "..",
 * only letters, digits, '/', '.', '-' and '_') is our bug: logged, 503
 * unavailable; so is running out of memory.
 */
void resp_file(struct request *req, const char *rel, const char *type,
    enum resp_disposition disp, const char *file_name);

#endif
