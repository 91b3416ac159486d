/*
 * filestore_interim.c - INTERIM placeholder of filestore.h so that the
 * documents feature builds and runs before the store helper's filestore.c
 * lands; dropped at merge. The same atomic write as photo_store().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "arena.h"
#include "filestore.h"
#include "log.h"
#include "str.h"

static bool
sha_ok(const char *s)
{
	size_t n = 0;

	for (; s != NULL && s[n] != '\0'; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 64;
}

const char *
filestore_path(struct arena *a, const char *clinic_id, const char *sha256)
{
	if (clinic_id == NULL || !str_is_uuid(clinic_id) || !sha_ok(sha256))
		return NULL;
	return arena_printf(a, "files/%s/%.2s/%s", clinic_id, sha256, sha256);
}

static bool
make_dirs(struct arena *a, const char *root, const char *rel)
{
	char *path = arena_printf(a, "%s/%s", root, rel);
	char *slash;

	if (path == NULL)
		return false;
	for (slash = strchr(path + strlen(root) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0750) != 0 && errno != EEXIST) {
			log_error("filestore: cannot create %s: %s", path,
			    strerror(errno));
			return false;
		}
		*slash = '/';
	}
	return true;
}

enum err
filestore_put(struct arena *a, const char *files_dir, const char *clinic_id,
    const char *sha256, const void *data, size_t len)
{
	const char *rel = filestore_path(a, clinic_id, sha256);
	char *final, *tmp;
	unsigned char rnd[8];
	char rnd_hex[17];
	struct stat st;
	size_t done = 0;
	int fd;

	if (rel == NULL)
		return ERR_NOMEM;
	final = arena_printf(a, "%s/%s", files_dir, rel);
	randombytes_buf(rnd, sizeof(rnd));
	str_hex(rnd_hex, rnd, sizeof(rnd));
	tmp = final ? arena_printf(a, "%s.%s.tmp", final, rnd_hex) : NULL;
	if (tmp == NULL)
		return ERR_NOMEM;
	if (stat(final, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size == len)
		return ERR_OK;
	if (!make_dirs(a, files_dir, rel))
		return ERR_IO;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0) {
		log_error("filestore: cannot create %s: %s", tmp, strerror(errno));
		return ERR_IO;
	}
	while (done < len) {
		ssize_t w = write(fd, (const char *)data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (done != len || fsync(fd) != 0) {
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
	return ERR_OK;
}

bool
filestore_exists(struct arena *a, const char *files_dir, const char *clinic_id,
    const char *sha256)
{
	const char *rel = filestore_path(a, clinic_id, sha256);
	char *path = rel ? arena_printf(a, "%s/%s", files_dir, rel) : NULL;
	struct stat st;

	return path != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}
