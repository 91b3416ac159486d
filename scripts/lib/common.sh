# common.sh - what scripts/dev-up and scripts/test share: installing what a
# bare Debian 12 machine lacks, the unprivileged user, the npm packages,
# and building the C programs and the web app. Sourced, not run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN_USER=portal-dev
PG_BIN=/usr/lib/postgresql/15/bin
SYS_PYTHON=/usr/bin/python3

# Debian packages the build, the stack and the tests need.
APT_PACKAGES=(
	autoconf automake libtool pkg-config make gcc g++
	libfcgi-dev libpq-dev libjson-c-dev libsodium-dev libesmtp-dev
	libcurl4-openssl-dev libcmocka-dev libvips-dev libgmime-3.0-dev
	libical-dev libssl-dev libcrack2-dev cracklib-runtime liboath-dev
	libphonenumber-dev libqpdf-dev
	postgresql-15 nginx-light
	chromium curl ca-certificates python3 python3-aiosmtpd procps iproute2
	systemd
	wrk
	# scripts/fuzz: clang with libFuzzer and the sanitizers' runtimes,
	# and llvm-symbolizer for readable crash reports.
	clang-14 libclang-rt-14-dev llvm-14
)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" = 0 ] || die "run this as root (it installs packages and starts services as $RUN_USER)"
}

ensure_packages() {
	local missing=() p
	for p in "${APT_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing Debian packages: ${missing[*]}"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >/dev/null
	command -v node >/dev/null || die "Node.js is missing; this machine should come with it"
}

# PostgreSQL refuses root, and nginx would run its workers as www-data,
# which cannot read a checkout in root's home: the stack runs as this user.
ensure_user() {
	id "$RUN_USER" >/dev/null 2>&1 && return 0
	say "creating system user $RUN_USER"
	useradd --system --user-group --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_USER"
}

as_user() { runuser -u "$RUN_USER" -- "$@"; }

# npm ci when node_modules is missing or older than the lockfile.
ensure_node_modules() {
	local stamp="$ROOT/node_modules/.portal-lock.sha256" want
	want=$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
		return 0
	fi
	say "installing npm packages (npm ci)"
	(cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	echo "$want" > "$stamp"
}

# Builds web/dist when any source under web/ is newer than the last build.
build_web() {
	local marker="$ROOT/web/dist/.built"
	if [ -f "$marker" ] &&
		[ -z "$(find "$ROOT/web" "$ROOT/vite.config.mjs" "$ROOT/package-lock.json" \
			-newer "$marker" -not -path "$ROOT/web/dist/*" -print -quit)" ]; then
		return 0
	fi
	say "building the web app"
	(cd "$ROOT" && npm run --silent build >/dev/null)
	touch "$marker"
}

# build_c DIR PREFIX [configure options...]: configures (once) and builds
# out of tree, then installs into PREFIX.
build_c() {
	local dir=$1 prefix=$2
	shift 2
	if [ ! -x "$ROOT/configure" ] || [ "$ROOT/configure.ac" -nt "$ROOT/configure" ] ||
		[ "$ROOT/Makefile.am" -nt "$ROOT/Makefile.in" ]; then
		say "autoreconf"
		(cd "$ROOT" && autoreconf -fi >/dev/null 2>&1) || die "autoreconf failed"
	fi
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ "$(cat "$dir/.portal-configure" 2>/dev/null)" != "$prefix $*" ]; then
		say "configure $* (in $dir)"
		(cd "$dir" && "$ROOT/configure" -q --prefix="$prefix" "$@") || die "configure failed"
		echo "$prefix $*" > "$dir/.portal-configure"
	fi
	say "make (in $dir)"
	make -C "$dir" -s -j"$(nproc)" >"$dir/make.log" 2>&1 || { tail -40 "$dir/make.log" >&2; die "build failed"; }
	make -C "$dir" -s install >/dev/null 2>&1 || die "make install failed"
}

# A TCP port nobody listens on, at or above $1 plus a random offset (several
# stacks starting at once on one machine then rarely pick the same one).
free_port() {
	local port=$(($1 + RANDOM % 2000))
	while ss -Htln "sport = :$port" | grep -q .; do
		port=$((port + 1))
	done
	echo "$port"
}
