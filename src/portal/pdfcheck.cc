/*
 * pdfcheck.cc - uploaded PDFs read by qpdf (see pdfcheck.h): the second
 * C++ file of the portal layer, a shim like phone.cc. Nothing thrown
 * crosses into C: pdf_check() catches all.
 *
 * How a PDF is read. qpdf opens it from memory without recovery and with
 * its warnings kept rather than printed: any warning, like any exception,
 * means the file is broken (a viewer would have had to guess, and guesses
 * differ). getAllObjects() then resolves every object of the
 * cross-reference table, so those packed in compressed object streams are
 * parsed too, and each is walked, its direct values depth first, for the
 * names that make a PDF active. qpdf has decoded name escapes by then
 * (/J#61vaScript is /JavaScript). A name is looked at as a dictionary key
 * and as a value alike: /JS is a key, /JavaScript a key (the document's
 * name tree) or a value (/S /JavaScript).
 *
 * What bounds the work. The input size and the number of objects are
 * capped, and so is the walk. qpdf decodes only cross-reference and
 * object streams here (never page content or images), but it decodes
 * them whole into memory, and a few kilobytes of flate can inflate to
 * gigabytes; so this file puts its own decoders in qpdf's filter table:
 * flate (with the PNG and TIFF predictors cross-reference streams use)
 * that stops at PDF_MAX_DECODED bytes in all per check, and for LZW,
 * run-length, ASCII85 and ASCIIHex (which no writer uses for those
 * streams, and which chained could expand without bound) a filter that
 * cannot decode, so such a stream is broken. The table is qpdf's, for
 * the whole process: nothing else here uses qpdf.
 *
 * Even so qpdf's reading costs memory and time in proportion to what a
 * file holds (some 300 bytes per number in an array, and no way to stop
 * it halfway), so a worker reads an upload in a forked child with a
 * memory limit and a deadline: pdf_check_in_child(). pdf_check() itself
 * runs in-process (the fuzz target and the child call it).
 *
 * Objects the cross-reference table does not list are invisible to qpdf
 * but not to every viewer (one that rebuilds a table it does not like
 * scans the whole file). So the raw bytes are read too, for the longer of
 * the dangerous names, escapes decoded; the short ones (/JS, /AA, /EF)
 * could occur by chance in compressed data, the long ones cannot.
 */
#include "config.h"

/* qpdf 11's headers: no PointerHolder, std::shared_ptr throughout. */
#define POINTERHOLDER_TRANSITION 4

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <qpdf/Pipeline.hh>
#include <qpdf/Pl_Flate.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFStreamFilter.hh>

extern "C" {
#include "log.h"
#include "str.h"
}
#include "pdfcheck.h"

namespace {

/* The most direct values walked (names, numbers, arrays, dictionaries):
 * bounded by the input already, this bounds the walk's own time. */
const size_t max_values = 20000000;
/* The widest row a predictor may declare, in bytes. */
const size_t max_row = 1 << 20;

/* What one check may still decode, and whether it ran out; one check at
 * a time per thread. */
thread_local size_t decode_left;
thread_local bool decode_exhausted;

/* Passes bytes on while the check's decoding budget lasts; past it,
 * throws (qpdf turns that into a warning: the stream is not decoded). */
class Pl_Budget final : public Pipeline {
public:
	Pl_Budget(Pipeline *to) : Pipeline("decoding budget", to) {}
	void write(unsigned char const *data, size_t len) override
	{
		if (len > decode_left) {
			decode_left = 0;
			decode_exhausted = true;
			throw std::length_error("decoded data over the limit");
		}
		decode_left -= len;
		getNext()->write(data, len);
	}
	void finish() override { getNext()->finish(); }
};

/* Undoes a PNG (10 to 15: a filter type byte before each row) or TIFF (2,
 * 8 bits a component) predictor, row by row. */
class Pl_Unpredict final : public Pipeline {
public:
	Pl_Unpredict(Pipeline *to, bool png, size_t row_len, size_t bpp)
	    : Pipeline("unpredict", to), png_(png), row_len_(row_len),
	      bpp_(bpp), prev_(row_len, 0), cur_(row_len + (png ? 1 : 0))
	{
	}
	void write(unsigned char const *data, size_t len) override
	{
		while (len > 0) {
			size_t n = cur_.size() - have_;

			if (n > len)
				n = len;
			std::memcpy(cur_.data() + have_, data, n);
			have_ += n;
			data += n;
			len -= n;
			if (have_ == cur_.size())
				row();
		}
	}
	void finish() override
	{
		if (have_ != 0)
			throw std::runtime_error("predictor: partial row");
		getNext()->finish();
	}

private:
	void row()
	{
		unsigned char *r = cur_.data() + (png_ ? 1 : 0);
		const unsigned char *up = prev_.data();

		have_ = 0;
		if (!png_) {
			for (size_t i = bpp_; i < row_len_; i++)
				r[i] = static_cast<unsigned char>(r[i] + r[i - bpp_]);
		} else {
			unsigned type = cur_[0];

			for (size_t i = 0; i < row_len_; i++) {
				unsigned a = i >= bpp_ ? r[i - bpp_] : 0;
				unsigned b = up[i];
				unsigned c = i >= bpp_ ? up[i - bpp_] : 0;
				unsigned add;

				switch (type) {
				case 0:
					add = 0;
					break;
				case 1:
					add = a;
					break;
				case 2:
					add = b;
					break;
				case 3:
					add = (a + b) / 2;
					break;
				case 4: {
					int p = static_cast<int>(a + b) -
					    static_cast<int>(c);
					int pa = p > static_cast<int>(a) ?
					    p - static_cast<int>(a) : static_cast<int>(a) - p;
					int pb = p > static_cast<int>(b) ?
					    p - static_cast<int>(b) : static_cast<int>(b) - p;
					int pc = p > static_cast<int>(c) ?
					    p - static_cast<int>(c) : static_cast<int>(c) - p;

					add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
					break;
				}
				default:
					throw std::runtime_error(
					    "predictor: unknown PNG filter type");
				}
				r[i] = static_cast<unsigned char>(r[i] + add);
			}
			std::memcpy(prev_.data(), r, row_len_);
		}
		getNext()->write(r, row_len_);
	}

	bool png_;
	size_t row_len_, bpp_, have_ = 0;
	std::vector<unsigned char> prev_, cur_;
};

/* /FlateDecode within the budget. */
class BoundedFlate final : public QPDFStreamFilter {
public:
	bool setDecodeParms(QPDFObjectHandle parms) override
	{
		long long predictor = 1, colors = 1, bpc = 8, columns = 1;

		if (parms.isNull())
			return true;
		if (!parms.isDictionary())
			return false;
		if (!read_int(parms, "/Predictor", predictor) ||
		    !read_int(parms, "/Colors", colors) ||
		    !read_int(parms, "/BitsPerComponent", bpc) ||
		    !read_int(parms, "/Columns", columns))
			return false;
		if (predictor == 1)
			return true;
		if ((predictor != 2 && (predictor < 10 || predictor > 15)) ||
		    colors < 1 || colors > 32 || columns < 1 ||
		    columns > static_cast<long long>(max_row) ||
		    (bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 && bpc != 16))
			return false;
		/* At most 32 * 16 * 2^20 bits: no overflow. */
		unsigned long long bits = static_cast<unsigned long long>(colors) *
		    static_cast<unsigned long long>(bpc) *
		    static_cast<unsigned long long>(columns);
		row_len_ = static_cast<size_t>((bits + 7) / 8);
		if (row_len_ > max_row)
			return false;
		bpp_ = static_cast<size_t>((colors * bpc + 7) / 8);
		png_ = predictor >= 10;
		/* TIFF's predictor is undone here for bytes only. */
		if (!png_ && bpc != 8)
			return false;
		predicted_ = true;
		return true;
	}
	Pipeline *getDecodePipeline(Pipeline *to) override
	{
		if (predicted_) {
			unpredict_ = std::make_unique<Pl_Unpredict>(to, png_,
			    row_len_, bpp_);
			to = unpredict_.get();
		}
		budget_ = std::make_unique<Pl_Budget>(to);
		flate_ = std::make_unique<Pl_Flate>("inflate", budget_.get(),
		    Pl_Flate::a_inflate);
		return flate_.get();
	}

private:
	static bool read_int(QPDFObjectHandle &d, const char *key,
	    long long &out)
	{
		QPDFObjectHandle v = d.getKey(key);

		if (v.isNull())
			return true;
		if (!v.isInteger())
			return false;
		out = v.getIntValue();
		return true;
	}

	bool predicted_ = false, png_ = false;
	size_t row_len_ = 0, bpp_ = 1;
	std::unique_ptr<Pl_Unpredict> unpredict_;
	std::unique_ptr<Pl_Budget> budget_;
	std::unique_ptr<Pl_Flate> flate_;
};

/* A filter qpdf must not decode here: the stream is unfilterable. */
class Undecodable final : public QPDFStreamFilter {
public:
	bool setDecodeParms(QPDFObjectHandle) override { return false; }
	Pipeline *getDecodePipeline(Pipeline *) override { return nullptr; }
};

std::once_flag filters_registered;

void
register_filters()
{
	QPDF::registerStreamFilter("/FlateDecode",
	    [] { return std::make_shared<BoundedFlate>(); });
	for (const char *name : { "/LZWDecode", "/RunLengthDecode",
	    "/ASCII85Decode", "/ASCIIHexDecode" })
		QPDF::registerStreamFilter(name,
		    [] { return std::make_shared<Undecodable>(); });
}

/* What the walk found. */
struct findings {
	bool javascript = false, launch = false, embedded = false,
	    other = false, too_big = false;
	size_t values = 0;
};

/* Notes what a name (decoded, with its '/') makes of the file. */
void
judge_name(const char *name, findings &f)
{
	static const char *const javascript[] = { "/JS", "/JavaScript" };
	static const char *const embedded[] = { "/EmbeddedFile",
	    "/EmbeddedFiles", "/EF" };
	static const char *const other[] = { "/AA", "/RichMedia",
	    "/RichMediaContent", "/RichMediaSettings", "/XFA", "/SubmitForm",
	    "/ImportData", "/GoToE", "/GoToR", "/Movie", "/Sound",
	    "/Rendition", "/3D", "/GoTo3DView" };

	for (const char *n : javascript)
		if (std::strcmp(name, n) == 0)
			f.javascript = true;
	if (std::strcmp(name, "/Launch") == 0)
		f.launch = true;
	for (const char *n : embedded)
		if (std::strcmp(name, n) == 0)
			f.embedded = true;
	for (const char *n : other)
		if (std::strcmp(name, n) == 0)
			f.other = true;
}

/* Walks obj and its direct values (an indirect one is an object of its
 * own, walked from getAllObjects()). */
void
walk(QPDFObjectHandle obj, findings &f)
{
	std::vector<QPDFObjectHandle> pending{ obj };

	while (!pending.empty() && !f.too_big) {
		QPDFObjectHandle o = pending.back();

		pending.pop_back();
		if (++f.values > max_values) {
			f.too_big = true;
			break;
		}
		switch (o.getTypeCode()) {
		case ::ot_name:
			judge_name(o.getName().c_str(), f);
			break;
		case ::ot_array:
			for (auto item : o.aitems())
				if (!item.isIndirect())
					pending.push_back(item);
			break;
		case ::ot_dictionary:
			for (auto item : o.ditems()) {
				judge_name(item.first.c_str(), f);
				if (!item.second.isIndirect())
					pending.push_back(item.second);
			}
			break;
		case ::ot_stream:
			pending.push_back(o.getDict());
			break;
		default:
			break;
		}
	}
}

bool
is_delimiter(unsigned char c)
{
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' ||
	    c == ' ' || c == '(' || c == ')' || c == '<' || c == '>' ||
	    c == '[' || c == ']' || c == '{' || c == '}' || c == '/' ||
	    c == '%';
}

/* The raw bytes' names, escapes decoded, for the long dangerous ones: one
 * pass, each byte read at most three times. */
void
scan_raw(const unsigned char *b, size_t n, findings &f)
{
	static const char *const names[] = { "/JavaScript", "/Launch",
	    "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/SubmitForm",
	    "/ImportData", "/GoToE", "/GoToR" };
	char name[16];

	for (size_t i = 0; i < n;) {
		size_t len = 1;

		if (b[i] != '/') {
			i++;
			continue;
		}
		name[0] = '/';
		for (i++; i < n && !is_delimiter(b[i]);) {
			int c = b[i], hi, lo;

			if (c == '#' && i + 2 < n &&
			    (hi = str_hex_digit(static_cast<char>(b[i + 1]))) >= 0 &&
			    (lo = str_hex_digit(static_cast<char>(b[i + 2]))) >= 0) {
				c = hi << 4 | lo;
				i += 3;
			} else {
				i++;
			}
			if (len < sizeof(name) - 1)
				name[len] = static_cast<char>(c);
			len++;
		}
		if (len >= sizeof(name) - 1)
			continue;
		name[len] = '\0';
		for (const char *d : names)
			if (std::strcmp(name, d) == 0) {
				findings raw;

				judge_name(name, raw);
				f.javascript |= raw.javascript;
				f.launch |= raw.launch;
				f.embedded |= raw.embedded;
				f.other |= raw.other;
			}
	}
}

/* One line for the log: qpdf's message, control characters out. */
void
log_refusal(const char *what, const std::string &why)
{
	std::string line = why.substr(0, 300);

	for (auto &c : line)
		if (static_cast<unsigned char>(c) < 0x20)
			c = ' ';
	log_warn("pdfcheck: %s: %s", what, line.c_str());
}

int
verdict(int v, const char **reason)
{
	static const char *const reasons[] = {
		nullptr,
		"The PDF is damaged or incomplete and cannot be read safely.",
		"The PDF is encrypted or protected with a password; upload a "
		    "copy without protection.",
		"The PDF contains JavaScript, which could run when it is opened.",
		"The PDF contains an action that would start a program or open "
		    "another file.",
		"The PDF contains embedded files.",
		"The PDF contains interactive content (automatic actions, media, "
		    "forms that send data, links to other files) that could run "
		    "when it is opened.",
		"The PDF is too large or too complex to check.",
		"There was not enough memory to check the PDF; try again later.",
	};

	*reason = reasons[v];
	return v;
}

int
check(const unsigned char *buf, size_t len, const char **reason)
{
	QPDF pdf;
	findings f;

	pdf.setSuppressWarnings(true);
	pdf.setAttemptRecovery(false);
	pdf.processMemoryFile("upload", reinterpret_cast<const char *>(buf),
	    len);
	if (pdf.isEncrypted())
		return verdict(PDF_ENCRYPTED, reason);
	if (pdf.getXRefTable().size() > static_cast<size_t>(PDF_MAX_OBJECTS))
		return verdict(PDF_TOO_BIG, reason);
	std::vector<QPDFObjectHandle> all = pdf.getAllObjects();
	if (all.size() > static_cast<size_t>(PDF_MAX_OBJECTS))
		return verdict(PDF_TOO_BIG, reason);
	walk(pdf.getTrailer(), f);
	for (auto &obj : all) {
		if (f.too_big || decode_exhausted)
			break;
		walk(obj, f);
	}
	all.clear();
	if (f.too_big || decode_exhausted)
		return verdict(PDF_TOO_BIG, reason);
	/* A document a viewer can show: a catalog and a page at least. */
	bool no_pages = !pdf.getRoot().isDictionary() ||
	    pdf.getAllPages().empty();
	if (!f.javascript && !f.launch && !f.embedded && !f.other)
		scan_raw(buf, len, f);
	if (f.javascript)
		return verdict(PDF_JAVASCRIPT, reason);
	if (f.launch)
		return verdict(PDF_LAUNCH, reason);
	if (f.embedded)
		return verdict(PDF_EMBEDDED_FILE, reason);
	if (f.other)
		return verdict(PDF_OTHER_ACTIVE, reason);
	if (decode_exhausted)
		return verdict(PDF_TOO_BIG, reason);
	if (pdf.anyWarnings()) {
		std::vector<QPDFExc> warnings = pdf.getWarnings();

		log_refusal("qpdf warns", warnings.front().what());
		/* qpdf turns running out of memory while reading an object
		 * into a warning. */
		for (auto &w : warnings)
			if (std::strstr(w.what(), "bad_alloc") != nullptr)
				return verdict(PDF_NOMEM, reason);
		return verdict(PDF_BROKEN, reason);
	}
	if (no_pages) {
		log_refusal("refused", "no pages");
		return verdict(PDF_BROKEN, reason);
	}
	return verdict(PDF_CLEAN, reason);
}

} // namespace

extern "C" int
pdf_check(const void *buf, size_t len, const char **reason)
{
	const char *ignored;

	if (reason == nullptr)
		reason = &ignored;
	if (len > static_cast<size_t>(PDF_MAX_BYTES))
		return verdict(PDF_TOO_BIG, reason);
	if (buf == nullptr || len == 0)
		return verdict(PDF_BROKEN, reason);
	decode_left = static_cast<size_t>(PDF_MAX_DECODED);
	decode_exhausted = false;
	try {
		std::call_once(filters_registered, register_filters);
		return check(static_cast<const unsigned char *>(buf), len,
		    reason);
	} catch (const std::bad_alloc &) {
		log_warn("pdfcheck: out of memory");
		return verdict(PDF_NOMEM, reason);
	} catch (const QPDFExc &e) {
		if (e.getErrorCode() == qpdf_e_password)
			return verdict(PDF_ENCRYPTED, reason);
		log_refusal("qpdf", e.what());
		return verdict(decode_exhausted ? PDF_TOO_BIG : PDF_BROKEN,
		    reason);
	} catch (const std::exception &e) {
		log_refusal("qpdf", e.what());
		return verdict(decode_exhausted ? PDF_TOO_BIG : PDF_BROKEN,
		    reason);
	} catch (...) {
		log_refusal("qpdf", "an unknown exception");
		return verdict(PDF_BROKEN, reason);
	}
}

namespace {

#if defined(__SANITIZE_ADDRESS__)
#define PDF_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PDF_UNDER_ASAN 1
#endif
#endif

/* In the child: the default signal actions (the worker's SIGTERM handler
 * only sets a flag), and at most PDF_CHILD_MEMORY more address space than
 * the worker it was forked from has now, and the CPU seconds it may use.
 * AddressSanitizer reserves terabytes of address space: under it there
 * is no memory limit (the parent's deadline still holds). */
void
limit_child(long max_ms)
{
	struct rlimit cpu;

	std::signal(SIGTERM, SIG_DFL);
	std::signal(SIGINT, SIG_DFL);
	std::signal(SIGHUP, SIG_DFL);
	cpu.rlim_cur = cpu.rlim_max = static_cast<rlim_t>(max_ms / 1000 + 2);
	(void)setrlimit(RLIMIT_CPU, &cpu);
#ifndef PDF_UNDER_ASAN
	{
		FILE *statm = std::fopen("/proc/self/statm", "r");
		unsigned long pages = 0;
		struct rlimit as;

		if (statm != nullptr) {
			if (std::fscanf(statm, "%lu", &pages) != 1)
				pages = 0;
			std::fclose(statm);
		}
		if (pages > 0) {
			as.rlim_cur = as.rlim_max = static_cast<rlim_t>(pages) *
			    static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) +
			    static_cast<rlim_t>(PDF_CHILD_MEMORY);
			(void)setrlimit(RLIMIT_AS, &as);
		}
	}
#endif
}

long long
now_ms()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

} // namespace

extern "C" int
pdf_check_in_child(const void *buf, size_t len, long max_ms,
    const char **reason)
{
	const char *ignored;
	long long deadline = now_ms() + max_ms;
	unsigned char answer = 0;
	bool timed_out = false;
	ssize_t got = -1;
	int fds[2], status = 0;
	pid_t pid;

	if (reason == nullptr)
		reason = &ignored;
	if (len > static_cast<size_t>(PDF_MAX_BYTES))
		return verdict(PDF_TOO_BIG, reason);
	if (pipe2(fds, O_CLOEXEC) != 0) {
		log_error("pdfcheck: pipe: %s", std::strerror(errno));
		return verdict(PDF_NOMEM, reason);
	}
	pid = fork();
	if (pid < 0) {
		log_error("pdfcheck: fork: %s", std::strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return verdict(PDF_NOMEM, reason);
	}
	if (pid == 0) {
		const char *why;

		close(fds[0]);
		limit_child(max_ms);
		answer = static_cast<unsigned char>(pdf_check(buf, len, &why));
		(void)!write(fds[1], &answer, 1);
		/* Nothing of the worker's (its exit handlers, its buffers,
		 * its connections) is the child's to run or close. */
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		long long left = deadline - now_ms();
		int rc;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		rc = poll(&pfd, 1, static_cast<int>(left));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0) {
			timed_out = true;
			break;
		}
		if (rc < 0)
			break;
		got = read(fds[0], &answer, 1);
		if (got < 0 && errno == EINTR)
			continue;
		break;
	}
	close(fds[0]);
	if (got != 1)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		log_warn("pdfcheck: reading the PDF took more than %ld ms; "
		    "stopped", max_ms);
		return verdict(PDF_TOO_BIG, reason);
	}
	if (got != 1) {
		/* Killed by its limits (memory, CPU) or crashed in qpdf. */
		log_warn("pdfcheck: the reading process died (%s %d)",
		    WIFSIGNALED(status) ? "signal" : "status",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		return verdict(PDF_TOO_BIG, reason);
	}
	/* Out of memory in the child is its limit, not the machine's. */
	if (answer == PDF_NOMEM)
		answer = PDF_TOO_BIG;
	return verdict(answer <= PDF_NOMEM ? static_cast<int>(answer) :
	    static_cast<int>(PDF_BROKEN), reason);
}
