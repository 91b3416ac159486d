/*
 * filestore.c - the one store of uploaded files (filestore.h): paths by
 * content hash, the atomic writer, and the collection of files no record
 * refers to.
 *
 * Atomic: a reader (nginx) sees either no file or the whole file, never a
 * part, and a crash leaves at most a temporary file beside the name. The
 * rename is made durable by fsync'ing the directory, and a directory made
 * here by fsync'ing its parent.
 *
 * The collection (filestore_gc) is safe against uploads in flight by
 * time, not by lock: an upload writes its bytes (or touches the stored
 * ones) before its row commits, within a request's few seconds, and only
 * files older than the grace period (an hour by default) are candidates.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "arena.h"
#include "filestore.h"
#include "log.h"
#include "str.h"

bool
filestore_is_sha256(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; s[n] != '\0'; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 64;
}

const char *
filestore_path(struct arena *a, const char *clinic_id, const char *sha256)
{
	if (clinic_id == NULL || !str_is_uuid(clinic_id) ||
	    !filestore_is_sha256(sha256))
		return NULL;
	return arena_printf(a, "files/%s/%.2s/%s", clinic_id, sha256, sha256);
}

/* True when rel is a relative path of named components: not empty, no
 * leading or doubled '/', no "." or "..", no control characters. */
static bool
rel_ok(const char *rel)
{
	const char *p = rel;

	if (rel == NULL || *rel == '\0' || *rel == '/')
		return false;
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				return false;
		p += n;
		if (*p == '/' && *++p == '\0')
			return false;
	}
	return true;
}

/* fsync of the directory at path (a rename or a new entry in it). */
static bool
sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok;

	if (fd < 0) {
		log_error("filestore: cannot open %s: %s", path, strerror(errno));
		return false;
	}
	ok = fsync(fd) == 0;
	if (!ok)
		log_error("filestore: cannot sync %s: %s", path, strerror(errno));
	close(fd);
	return ok;
}

/* mkdir -p of the directories of path below root (path = root/rel), mode
 * 0750; each directory made here is made durable in its parent. */
static bool
make_dirs(char *path, size_t root_len)
{
	char *slash;

	for (slash = strchr(path + root_len + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0750) == 0) {
			char *parent = strrchr(path, '/');
			bool synced;

			*parent = '\0';
			synced = sync_dir(path);
			*parent = '/';
			if (!synced) {
				*slash = '/';
				return false;
			}
		} else if (errno != EEXIST) {
			log_error("filestore: cannot create %s: %s", path,
			    strerror(errno));
			*slash = '/';
			return false;
		}
		*slash = '/';
	}
	return true;
}

/* Writes all of data to fd; false (errno set) when it cannot. */
static bool
write_all(int fd, const unsigned char *data, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return false;
		if (w == 0) {
			errno = EIO;
			return false;
		}
		done += (size_t)w;
	}
	return true;
}

enum err
filestore_write(struct arena *a, const char *files_dir, const char *rel,
    const void *data, size_t len)
{
	unsigned char rnd[8];
	char rnd_hex[17], *final, *tmp, *dir;
	struct stat st;
	int fd;

	if (!rel_ok(rel) || files_dir == NULL || *files_dir == '\0')
		return ERR_INVALID;
	final = arena_printf(a, "%s/%s", files_dir, rel);
	randombytes_buf(rnd, sizeof(rnd));
	str_hex(rnd_hex, rnd, sizeof(rnd));
	tmp = final ? arena_printf(a, "%s.%s.tmp", final, rnd_hex) : NULL;
	dir = final ? arena_strndup(a, final, (size_t)(strrchr(final, '/') -
	    final)) : NULL;
	if (tmp == NULL || dir == NULL)
		return ERR_NOMEM;
	/* Content-addressed: the name holds these bytes already. Touched, so
	 * that the collector's grace runs from now: a record about to refer
	 * to them again must not lose them to a collection that read the
	 * references before this record existed. */
	if (lstat(final, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size == len) {
		if (utimensat(AT_FDCWD, final, NULL, 0) != 0)
			log_warn("filestore: cannot touch %s: %s", final,
			    strerror(errno));
		return ERR_OK;
	}
	if (!make_dirs(final, strlen(files_dir)))
		return ERR_IO;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0640);
	if (fd < 0) {
		log_error("filestore: cannot create %s: %s", tmp, strerror(errno));
		return ERR_IO;
	}
	if (!write_all(fd, data, len) || fsync(fd) != 0) {
		log_error("filestore: cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return ERR_IO;
	}
	if (close(fd) != 0 || rename(tmp, final) != 0) {
		log_error("filestore: cannot store %s: %s", final, strerror(errno));
		unlink(tmp);
		return ERR_IO;
	}
	return sync_dir(dir) ? ERR_OK : ERR_IO;
}

enum err
filestore_put(struct arena *a, const char *files_dir, const char *clinic_id,
    const char *sha256, const void *data, size_t len)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[FILESTORE_SHA256_HEX];
	const char *rel;

	if (clinic_id == NULL || !str_is_uuid(clinic_id) ||
	    !filestore_is_sha256(sha256))
		return ERR_INVALID;
	crypto_hash_sha256(hash, data, len);
	str_hex(hex, hash, sizeof(hash));
	if (strcmp(hex, sha256) != 0) {
		log_error("filestore: bytes to store as %s hash to %s; refused",
		    sha256, hex);
		return ERR_INVALID;
	}
	if ((rel = filestore_path(a, clinic_id, sha256)) == NULL)
		return ERR_NOMEM;
	return filestore_write(a, files_dir, rel, data, len);
}

bool
filestore_rel_exists(struct arena *a, const char *files_dir, const char *rel)
{
	char *path = rel_ok(rel) ? arena_printf(a, "%s/%s", files_dir, rel) :
	    NULL;
	struct stat st;

	return path != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool
filestore_exists(struct arena *a, const char *files_dir,
    const char *clinic_id, const char *sha256)
{
	const char *rel = filestore_path(a, clinic_id, sha256);

	return rel != NULL && filestore_rel_exists(a, files_dir, rel);
}

enum err
filestore_remove(struct arena *a, const char *files_dir, const char *rel)
{
	char *path;

	if (!rel_ok(rel))
		return ERR_INVALID;
	if ((path = arena_printf(a, "%s/%s", files_dir, rel)) == NULL)
		return ERR_NOMEM;
	if (unlink(path) != 0 && errno != ENOENT) {
		log_error("filestore: cannot remove %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	return ERR_OK;
}

bool
filestore_is_temp(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".tmp") == 0;
}

/* ---- the collection ---- */

/* The two trees and whether their names carry an extension. */
static const struct {
	const char *dir;
	bool ext;
} trees[] = {
	{ "photos", true },
	{ "files", false },
};

/* A file of one clinic that may go: its path relative to files_dir, and
 * the hash its name stands for (NULL for a temporary file). */
struct candidate {
	const char *rel;
	char sha256[FILESTORE_SHA256_HEX];
	bool temp;
};

struct gc {
	const char *files_dir;
	time_t before;		/* older than this: past the grace */
	bool dry_run;
	FILE *out;
	struct filestore_gc_stats *stats;
	enum err first_err;
	/* The current clinic's candidates. */
	struct candidate *cands;
	size_t ncands, cap;
};

static void
gc_fail(struct gc *g, enum err err)
{
	if (g->first_err == ERR_OK)
		g->first_err = err;
}

/* The hash a stored name stands for: "<sha256>" in files/, and
 * "<sha256>.<ext>" in photos/, in the directory of its first two digits;
 * false for any other name. */
static bool
stored_name(const char *name, const char *xx, bool ext, char *sha256)
{
	size_t n = strlen(name);

	if (n < 64 || (ext ? (n < 66 || name[64] != '.' ||
	    strcspn(name + 65, "./") != n - 65) : n != 64))
		return false;
	memcpy(sha256, name, 64);
	sha256[64] = '\0';
	return filestore_is_sha256(sha256) && strncmp(sha256, xx, 2) == 0;
}

static bool
add_candidate(struct gc *g, struct arena *a, const char *rel,
    const char *sha256)
{
	if (g->ncands == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		struct candidate *c = arena_calloc(a, cap, sizeof(*c));

		if (c == NULL)
			return false;
		if (g->ncands > 0)
			memcpy(c, g->cands, g->ncands * sizeof(*c));
		g->cands = c;
		g->cap = cap;
	}
	g->cands[g->ncands].rel = rel;
	g->cands[g->ncands].temp = sha256 == NULL;
	if (sha256 != NULL)
		memcpy(g->cands[g->ncands].sha256, sha256, FILESTORE_SHA256_HEX);
	g->ncands++;
	return true;
}

/* Walks <tree>/<clinic>/<xx>/ and notes every file past the grace that
 * may go; young ones and odd names are counted here. */
static void
walk_clinic(struct gc *g, struct arena *a, const char *tree, bool ext,
    const char *clinic_id)
{
	char *cdir = arena_printf(a, "%s/%s/%s", g->files_dir, tree, clinic_id);
	DIR *cd = cdir ? opendir(cdir) : NULL;
	struct dirent *de;

	if (cdir == NULL) {
		gc_fail(g, ERR_NOMEM);
		return;
	}
	if (cd == NULL) {
		if (errno != ENOENT) {
			log_error("gc-files: cannot read %s: %s", cdir,
			    strerror(errno));
			gc_fail(g, ERR_IO);
		}
		return;
	}
	while ((de = readdir(cd)) != NULL) {
		const char *xx = de->d_name;
		char *xdir;
		DIR *xd;
		struct dirent *fe;

		if (strcmp(xx, ".") == 0 || strcmp(xx, "..") == 0)
			continue;
		if (strlen(xx) != 2 || strspn(xx, "0123456789abcdef") != 2) {
			g->stats->skipped++;
			continue;
		}
		if ((xdir = arena_printf(a, "%s/%s", cdir, xx)) == NULL) {
			gc_fail(g, ERR_NOMEM);
			break;
		}
		/* O_NOFOLLOW: a link in place of a directory is not walked. */
		{
			int fd = open(xdir, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);

			xd = fd >= 0 ? fdopendir(fd) : NULL;
			if (fd >= 0 && xd == NULL)
				close(fd);
		}
		if (xd == NULL) {
			if (errno == ENOTDIR || errno == ELOOP) {
				g->stats->skipped++;
				continue;
			}
			log_error("gc-files: cannot read %s: %s", xdir,
			    strerror(errno));
			gc_fail(g, ERR_IO);
			continue;
		}
		while ((fe = readdir(xd)) != NULL) {
			char sha[FILESTORE_SHA256_HEX];
			const char *name = fe->d_name, *rel;
			bool temp;
			struct stat st;

			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
				continue;
			if (fstatat(dirfd(xd), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
				if (errno != ENOENT) {
					log_error("gc-files: cannot stat %s/%s: %s",
					    xdir, name, strerror(errno));
					gc_fail(g, ERR_IO);
				}
				continue;
			}
			temp = filestore_is_temp(name);
			if (!S_ISREG(st.st_mode) ||
			    (!temp && !stored_name(name, xx, ext, sha))) {
				g->stats->skipped++;
				continue;
			}
			if (st.st_mtime >= g->before) {
				g->stats->young++;
				continue;
			}
			rel = arena_printf(a, "%s/%s/%s/%s", tree, clinic_id, xx,
			    name);
			if (rel == NULL || !add_candidate(g, a, rel,
			    temp ? NULL : sha)) {
				gc_fail(g, ERR_NOMEM);
				break;
			}
		}
		closedir(xd);
	}
	closedir(cd);
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Removes the clinic's candidates that no record refers to, each looked
 * at again first: a file stored again since the walk is fresh. */
static void
sweep_clinic(struct gc *g, struct arena *a, const char *clinic_id,
    filestore_refs_fn refs, void *ctx)
{
	const char *const *shas = NULL;
	const char **sorted = NULL;
	size_t nshas = 0;
	enum err err;

	if (g->ncands == 0)
		return;
	if ((err = refs(ctx, a, clinic_id, &shas, &nshas)) != ERR_OK) {
		gc_fail(g, err);
		return;
	}
	if (nshas > 0) {
		if ((sorted = arena_calloc(a, nshas, sizeof(*sorted))) == NULL) {
			gc_fail(g, ERR_NOMEM);
			return;
		}
		memcpy(sorted, shas, nshas * sizeof(*sorted));
		qsort(sorted, nshas, sizeof(*sorted), cmp_str);
	}
	for (size_t i = 0; i < g->ncands; i++) {
		const struct candidate *c = &g->cands[i];
		const char *key = c->sha256;
		char *path;
		struct stat st;

		if (!c->temp && nshas > 0 && bsearch(&key, sorted, nshas,
		    sizeof(*sorted), cmp_str) != NULL) {
			g->stats->referenced++;
			continue;
		}
		if ((path = arena_printf(a, "%s/%s", g->files_dir, c->rel)) ==
		    NULL) {
			gc_fail(g, ERR_NOMEM);
			return;
		}
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (st.st_mtime >= g->before) {
			g->stats->young++;
			continue;
		}
		if (!g->dry_run && unlink(path) != 0) {
			if (errno == ENOENT)
				continue;
			log_error("gc-files: cannot remove %s: %s", path,
			    strerror(errno));
			gc_fail(g, ERR_IO);
			continue;
		}
		g->stats->removed++;
		g->stats->removed_bytes += st.st_size;
		if (c->temp)
			g->stats->temp_removed++;
		if (g->out != NULL)
			fprintf(g->out, "%s %s (%lld bytes)\n", g->dry_run ?
			    "would remove" : "removed", c->rel,
			    (long long)st.st_size);
	}
}

/* The clinic ids found under either tree, sorted, without repeats. */
static const char **
clinic_dirs(struct gc *g, struct arena *a, size_t *count)
{
	const char **ids = NULL;
	size_t n = 0, cap = 0;

	for (size_t t = 0; t < sizeof(trees) / sizeof(trees[0]); t++) {
		char *dir = arena_printf(a, "%s/%s", g->files_dir, trees[t].dir);
		DIR *d = dir ? opendir(dir) : NULL;
		struct dirent *de;

		if (dir == NULL) {
			gc_fail(g, ERR_NOMEM);
			return NULL;
		}
		if (d == NULL) {
			if (errno != ENOENT) {
				log_error("gc-files: cannot read %s: %s", dir,
				    strerror(errno));
				gc_fail(g, ERR_IO);
			}
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if (!str_is_uuid(de->d_name)) {
				g->stats->skipped++;
				continue;
			}
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 32;
				const char **more = arena_calloc(a, ncap,
				    sizeof(*more));

				if (more == NULL) {
					closedir(d);
					gc_fail(g, ERR_NOMEM);
					return NULL;
				}
				if (n > 0)
					memcpy(more, ids, n * sizeof(*more));
				ids = more;
				cap = ncap;
			}
			if ((ids[n++] = arena_strdup(a, de->d_name)) == NULL) {
				closedir(d);
				gc_fail(g, ERR_NOMEM);
				return NULL;
			}
		}
		closedir(d);
	}
	if (n > 1) {
		size_t k = 1;

		qsort(ids, n, sizeof(*ids), cmp_str);
		for (size_t i = 1; i < n; i++)
			if (strcmp(ids[i], ids[k - 1]) != 0)
				ids[k++] = ids[i];
		n = k;
	}
	*count = n;
	return ids;
}

enum err
filestore_gc(const char *files_dir, const char *only_clinic, long grace_s,
    bool dry_run, filestore_refs_fn refs, void *ctx, FILE *out,
    struct filestore_gc_stats *stats)
{
	struct arena *top = arena_new(16384);
	struct gc g;
	const char **ids;
	size_t nids = 0;

	memset(stats, 0, sizeof(*stats));
	if (only_clinic != NULL && !str_is_uuid(only_clinic)) {
		arena_free(top);
		return ERR_INVALID;
	}
	if (top == NULL)
		return ERR_NOMEM;
	memset(&g, 0, sizeof(g));
	g.files_dir = files_dir;
	g.before = time(NULL) - (grace_s > 0 ? grace_s : 0);
	g.dry_run = dry_run;
	g.out = out;
	g.stats = stats;
	if (only_clinic != NULL) {
		ids = &only_clinic;
		nids = 1;
	} else {
		ids = clinic_dirs(&g, top, &nids);
	}
	/* One clinic at a time, each in an arena of its own: memory grows
	 * with the largest clinic, not with the store. */
	for (size_t i = 0; ids != NULL && i < nids; i++) {
		struct arena *a = arena_new(65536);

		if (a == NULL) {
			gc_fail(&g, ERR_NOMEM);
			break;
		}
		g.cands = NULL;
		g.ncands = g.cap = 0;
		for (size_t t = 0; t < sizeof(trees) / sizeof(trees[0]); t++)
			walk_clinic(&g, a, trees[t].dir, trees[t].ext, ids[i]);
		if (g.first_err != ERR_NOMEM)
			sweep_clinic(&g, a, ids[i], refs, ctx);
		arena_free(a);
		/* A failed reading of the references (the database) stops it;
		 * a file that cannot be removed does not. */
		if (g.first_err != ERR_OK && g.first_err != ERR_IO)
			break;
	}
	arena_free(top);
	return g.first_err;
}
