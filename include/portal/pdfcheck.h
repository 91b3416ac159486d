/*
 * pdfcheck.h - whether an uploaded PDF may be kept and served: opened with
 * qpdf (Debian's libqpdf) from memory, strictly (no recovery: a file qpdf
 * would have to repair, or warns about, is broken), and refused when it
 * is encrypted or carries anything a viewer would run or open: JavaScript
 * (also inside compressed object streams, in /AA additional actions, or
 * spelt with name escapes such as /J#61vaScript, which qpdf decodes),
 * launch actions, embedded files, and other active content (rich media,
 * XFA forms, form submission, data import, remote go-to actions, sound,
 * movies, renditions, 3D). Links to web addresses (/URI) are fine.
 *
 * pdfcheck.cc is C++ behind this C interface, like phone.cc: nothing
 * thrown crosses into C, and it keeps nothing of the caller's. What a
 * document upload is, and what happens to an image, is filecheck.h's to
 * say; this module only reads PDFs.
 */
#ifndef PORTAL_PDFCHECK_H
#define PORTAL_PDFCHECK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The largest PDF read, in bytes (an upload is smaller: nginx's limit). */
#define PDF_MAX_BYTES (64L * 1024 * 1024)
/* The most indirect objects read: a 1000-page report has some 10 000. */
#define PDF_MAX_OBJECTS 100000L
/* The most bytes decoded from the PDF's compressed cross-reference and
 * object streams in one check (the only streams qpdf decodes here): a
 * flate bomb stops there. */
#define PDF_MAX_DECODED (64L * 1024 * 1024)

/* Why pdf_check() refused a PDF; 0 (PDF_CLEAN) when it did not. */
enum pdf_verdict {
	PDF_CLEAN,
	PDF_BROKEN,		/* not a PDF qpdf reads without a warning:
				 * truncated, damaged, or needing repair */
	PDF_ENCRYPTED,		/* encrypted, with or without a password */
	PDF_JAVASCRIPT,		/* JavaScript anywhere */
	PDF_LAUNCH,		/* an action that starts a program or file */
	PDF_EMBEDDED_FILE,	/* a file inside the file */
	PDF_OTHER_ACTIVE,	/* additional actions (/AA), rich media, XFA,
				 * form submission, import, remote go-to,
				 * sound, movie, rendition, 3D */
	PDF_TOO_BIG,		/* over PDF_MAX_BYTES, PDF_MAX_OBJECTS or
				 * PDF_MAX_DECODED */
	PDF_NOMEM,		/* out of memory */
};

/*
 * Opens the len bytes at buf as a PDF and walks every object, those inside
 * compressed object streams included, and the trailer. Returns PDF_CLEAN
 * (0), or why the file is refused (enum pdf_verdict), with *reason set to
 * a static sentence in plain English for the user (what is wrong, not
 * qpdf's message, which goes to the log); *reason is NULL when clean.
 * When a file has several faults the most serious is named: JavaScript,
 * then launch, embedded file, other active content. Bounded by the
 * limits above; safe on any bytes; one check at a time per thread.
 * In-process, its memory and time are qpdf's reading's, in proportion to
 * what the file holds: a worker calls pdf_check_in_child().
 */
int pdf_check(const void *buf, size_t len, const char **reason);

/* What pdf_check_in_child() gives the child beyond the worker's own
 * address space. */
#define PDF_CHILD_MEMORY (768L * 1024 * 1024)
/* The usual deadline of pdf_check_in_child(). */
#define PDF_CHECK_SECONDS 10

/*
 * pdf_check() in a child process forked for it, as a worker must call it:
 * qpdf holds every value of a file in memory (some 300 bytes a number, so
 * a few megabytes of "1 1 1 ..." take gigabytes) and cannot be stopped
 * once parsing, and a bug in it must not take the worker down. The child
 * may use PDF_CHILD_MEMORY more address space than the worker (no limit
 * under AddressSanitizer) and max_ms milliseconds; past either, or when it
 * dies, the answer is PDF_TOO_BIG. PDF_NOMEM when no child can be made.
 * The child only reads buf and writes one byte to a pipe, then _exit()s.
 */
int pdf_check_in_child(const void *buf, size_t len, long max_ms,
    const char **reason);

#ifdef __cplusplus
}
#endif

#endif
