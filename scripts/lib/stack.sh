# stack.sh - one local stack (PostgreSQL, portal-api, portal-notifier,
# nginx, the SMTP, SMS and payment sinks) living in one state directory and run as
# $RUN_USER. Used by scripts/dev-up, scripts/dev-down, scripts/test and
# scripts/stackctl. Sourced after common.sh. Callers set:
#   STATE      the state directory (absolute, short: socket paths < 107 bytes)
#   HTTP_PORT  DB_PORT
#   SMTP_PORT  SMS_PORT  PAY_PORT (optional: PORTAL_SMTP_PORT /
#              PORTAL_SMS_PORT / PORTAL_PAY_PORT, else 2525, 9025 and 9045)
# Every process is started with a pid file in $STATE/run and stopped by it.

stack_paths() {
	PREFIX=$STATE/prefix
	RUNDIR=$STATE/run
	LOGDIR=$STATE/log
	PGDATA=$STATE/pg
	CONF=$STATE/portal.conf
	API_SOCKET=$RUNDIR/api.sock
	BASE_URL=http://127.0.0.1:$HTTP_PORT
	SMTP_PORT=${SMTP_PORT:-${PORTAL_SMTP_PORT:-2525}}
	SMS_PORT=${SMS_PORT:-${PORTAL_SMS_PORT:-9025}}
	PAY_PORT=${PAY_PORT:-${PORTAL_PAY_PORT:-9045}}
	SINKDIR=$STATE/sink
}

stack_dirs() {
	install -d -o "$RUN_USER" -g "$RUN_USER" -m 0750 "$STATE"
	install -d -o "$RUN_USER" -g "$RUN_USER" -m 0750 "$RUNDIR" "$LOGDIR" \
		"$STATE/nginx" "$STATE/nginx/tmp" "$STATE/files"
	install -d -m 0755 "$PREFIX"
	chown -R "$RUN_USER:$RUN_USER" "$LOGDIR"
}

# pid_alive PIDFILE NAME: true when the pid file names a live process whose
# command line mentions NAME (a recycled pid is not ours).
pid_alive() {
	local pid
	[ -f "$1" ] || return 1
	pid=$(cat "$1" 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

# start_bg NAME ENV... -- CMD...: starts CMD as $RUN_USER in its own session,
# output appended to $LOGDIR/NAME.log, pid in $RUNDIR/NAME.pid.
start_bg() {
	local name=$1 pidfile="$RUNDIR/$1.pid"
	shift
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	setsid runuser -u "$RUN_USER" -- env "${envs[@]}" sh -c \
		'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" \
		>>"$LOGDIR/$name.log" 2>&1 < /dev/null &
	for _ in $(seq 1 100); do
		[ -s "$pidfile" ] && return 0
		sleep 0.05
	done
	die "$name did not start; see $LOGDIR/$name.log"
}

# stop_pid NAME MATCH [SECONDS]: SIGTERM, wait, then SIGKILL.
stop_pid() {
	local pidfile="$RUNDIR/$1.pid" pid i limit=$((${3:-15} * 10))
	if pid_alive "$pidfile" "$2"; then
		pid=$(cat "$pidfile")
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < limit; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	fi
	rm -f "$pidfile"
}

write_conf() {
	local tmp
	# The key of sign-in code hashes: made once per stack, kept across restarts.
	if [ ! -s "$STATE/signin-secret" ]; then
		head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STATE/signin-secret"
		chmod 0600 "$STATE/signin-secret"
	fi
	# The SMS sink's bearer token, likewise once per stack; the sink (run as
	# $RUN_USER) reads it from this file.
	if [ ! -s "$STATE/sms-token" ]; then
		head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STATE/sms-token"
	fi
	chown "$RUN_USER:$RUN_USER" "$STATE/sms-token"
	chmod 0600 "$STATE/sms-token"
	pay_secret
	tmp=$(mktemp)
	cat > "$tmp" <<CONF
# Written by scripts/lib/stack.sh for the stack in $STATE.
socket = $API_SOCKET
socket_mode = 0660
workers = ${PORTAL_WORKERS_DEFAULT:-4}
shutdown_timeout = 10
public_url = $BASE_URL
log_level = info
database_url = host=$RUNDIR port=$DB_PORT dbname=portal user=portal_app
migrate_database_url = host=$RUNDIR port=$DB_PORT dbname=portal user=portal_owner
notifier_database_url = host=$RUNDIR port=$DB_PORT dbname=portal user=portal_notifier
sql_dir = $PREFIX/share/patient-portal/sql
# Plain http on loopback: cookies cannot carry Secure here.
cookie_secure = 0
# Answers say their database round trips (tests count them).
server_timing = 1
signin_secret = $(cat "$STATE/signin-secret")
# The sinks of this stack (scripts/sinks/): nothing leaves the machine.
smtp_host = 127.0.0.1
smtp_port = $SMTP_PORT
smtp_starttls = no
smtp_from = portal@localhost
sms_gateway_url = http://127.0.0.1:$SMS_PORT/sms
sms_gateway_token = $(cat "$STATE/sms-token")
$(pay_conf_lines)
# Uploaded files (photos), served by nginx's internal /_files/ location.
files_dir = $STATE/files
${EXTRA_CONF:-}
CONF
	install -o "$RUN_USER" -g "$RUN_USER" -m 0640 "$tmp" "$CONF"
	rm -f "$tmp"
}

db_running() {
	as_user "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
}

db_start() {
	if [ ! -f "$PGDATA/PG_VERSION" ]; then
		say "creating the PostgreSQL cluster in $PGDATA"
		as_user "$PG_BIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 \
			--locale=C.UTF-8 >"$LOGDIR/initdb.log" 2>&1 || die "initdb failed; see $LOGDIR/initdb.log"
		cat >> "$PGDATA/postgresql.conf" <<PGCONF
# Development and test stack: throwaway data, so durability is traded for speed.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$RUNDIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 256MB
# Statement statistics, read by the benchmarks (tests/perf/lib/bench.mjs) to say where a
# request's database time goes; the top-level statements only, so that the measurement
# costs little (ALTER SYSTEM SET pg_stat_statements.track = all for the nested ones).
shared_preload_libraries = 'pg_stat_statements'
PGCONF
	fi
	db_running && return 0
	say "starting PostgreSQL on 127.0.0.1:$DB_PORT"
	as_user "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$LOGDIR/postgres.log" -w -t 60 \
		-o "-p $DB_PORT -k $RUNDIR" start >/dev/null || die "PostgreSQL did not start; see $LOGDIR/postgres.log"
}

db_stop() {
	db_running || return 0
	as_user "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
}

psql_admin() {
	as_user psql -h "$RUNDIR" -p "$DB_PORT" -U postgres -d "${PSQL_DB:-postgres}" \
		-v ON_ERROR_STOP=1 -qAt "$@"
}

# The three roles of sql/0001_base.sql and the database, owned by the owner.
db_setup() {
	psql_admin <<'SQL' >/dev/null
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['portal_owner', 'portal_app', 'portal_notifier'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS', r);
    END IF;
  END LOOP;
  -- The server log never records what the programs pass as parameters
  -- (one-time codes, contacts), nor an error's DETAIL ("Failing row
  -- contains ..."). Superuser-only settings, hence here and not in a
  -- migration; README's "Database roles" gives them to operators.
  FOREACH r IN ARRAY ARRAY['portal_owner', 'portal_app', 'portal_notifier'] LOOP
    EXECUTE format('ALTER ROLE %I SET log_parameter_max_length = 0', r);
    EXECUTE format('ALTER ROLE %I SET log_parameter_max_length_on_error = 0', r);
    EXECUTE format('ALTER ROLE %I SET log_error_verbosity = terse', r);
  END LOOP;
END $$;
SQL
	if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'portal'")" ]; then
		psql_admin -c "CREATE DATABASE portal OWNER portal_owner" >/dev/null
	fi
	# Where the library is loaded (a cluster this script made since it asks for it).
	if [ -n "$(psql_admin -c "SELECT 1 WHERE current_setting('shared_preload_libraries') ~ 'pg_stat_statements'")" ]; then
		PSQL_DB=portal psql_admin -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
	fi
	as_user "$PREFIX/bin/portalctl" -c "$CONF" migrate >>"$LOGDIR/migrate.log" 2>&1 ||
		{ tail -20 "$LOGDIR/migrate.log" >&2; die "migrations failed"; }
}

# The hash of the installed programs, to know whether a running API is stale.
# What a running daemon was started from: its programs and its config. A change to either
# restarts it on the next stack_up, so a second dev-up after an edit takes effect.
build_id() { cat "$PREFIX"/bin/* "$CONF" | sha256sum | cut -c1-16; }

api_start() {
	local env=() id
	id=$(build_id)
	if pid_alive "$RUNDIR/portal-api.pid" portal-api; then
		[ "$(cat "$RUNDIR/portal-api.build" 2>/dev/null)" = "$id" ] && return 0
		say "programs or config changed: restarting portal-api"
		stop_pid portal-api portal-api
	fi
	[ -n "${API_ENV:-}" ] && read -r -a env <<<"$API_ENV"
	start_bg portal-api PORTAL_CONFIG="$CONF" "${env[@]}" -- "$PREFIX/bin/portal-api" -c "$CONF"
	echo "$id" > "$RUNDIR/portal-api.build"
	for _ in $(seq 1 100); do
		[ -S "$API_SOCKET" ] && return 0
		sleep 0.05
	done
	die "portal-api did not open $API_SOCKET; see $LOGDIR/portal-api.log"
}

notifier_start() {
	local env=() id
	id=$(build_id)
	if pid_alive "$RUNDIR/portal-notifier.pid" portal-notifier; then
		[ "$(cat "$RUNDIR/portal-notifier.build" 2>/dev/null)" = "$id" ] && return 0
		stop_pid portal-notifier portal-notifier
	fi
	[ -n "${API_ENV:-}" ] && read -r -a env <<<"$API_ENV"
	start_bg portal-notifier "${env[@]}" -- "$PREFIX/bin/portal-notifier" -c "$CONF"
	echo "$id" > "$RUNDIR/portal-notifier.build"
}

# A second notifier, for tests of concurrent delivery (stackctl notifier2-*).
notifier2_start() {
	local env=()
	pid_alive "$RUNDIR/portal-notifier2.pid" portal-notifier && return 0
	[ -n "${API_ENV:-}" ] && read -r -a env <<<"$API_ENV"
	start_bg portal-notifier2 "${env[@]}" -- "$PREFIX/bin/portal-notifier" -c "$CONF"
}

# The demo clinic's devgateway merchant secret (merchant id simple-dent),
# made once per stack like the SMS token; the pay sink (run as $RUN_USER)
# knows that merchant from its command line and reads the secret from here.
pay_secret() {
	if [ ! -s "$STATE/pay-secret" ]; then
		head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STATE/pay-secret"
	fi
	chown "$RUN_USER:$RUN_USER" "$STATE/pay-secret"
	chmod 0600 "$STATE/pay-secret"
}

# The API's addresses of the payment providers (the pay sink for both) and
# the key that seals the clinics' provider credentials, made once per stack.
pay_conf_lines() {
	if [ ! -s "$STATE/payment-key" ]; then
		head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STATE/payment-key"
		chmod 0600 "$STATE/payment-key"
	fi
	cat <<LINES
# The payment sink speaks both providers' protocols.
devgateway_url = http://127.0.0.1:$PAY_PORT
paytr_api_url = http://127.0.0.1:$PAY_PORT/paytr
payment_key = $(cat "$STATE/payment-key")
LINES
}

# The sinks run from a copy under $STATE (a checkout in root's home is not
# readable by $RUN_USER) with Debian's /usr/bin/python3 (aiosmtpd). Their
# message directories are world-readable so that tests running as root, or
# a person, can read them.
sinks_install() {
	install -d -m 0755 "$STATE/sinks-bin"
	install -m 0644 "$ROOT"/scripts/sinks/*.py "$STATE/sinks-bin/"
	install -d -o "$RUN_USER" -g "$RUN_USER" -m 0755 "$SINKDIR" "$SINKDIR/mail" "$SINKDIR/sms" \
		"$SINKDIR/pay"
}

# wait_port PORT NAME: until something listens on 127.0.0.1:PORT.
wait_port() {
	for _ in $(seq 1 100); do
		ss -Htln "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	die "$2 does not listen on 127.0.0.1:$1; see $LOGDIR/$2.log"
}

smtp_sink_start() {
	pid_alive "$RUNDIR/smtp-sink.pid" smtp_sink.py && return 0
	sinks_install
	start_bg smtp-sink -- "$SYS_PYTHON" "$STATE/sinks-bin/smtp_sink.py" \
		--port "$SMTP_PORT" --dir "$SINKDIR/mail"
	wait_port "$SMTP_PORT" smtp-sink
}

sms_sink_start() {
	pid_alive "$RUNDIR/sms-sink.pid" sms_sink.py && return 0
	sinks_install
	start_bg sms-sink -- "$SYS_PYTHON" "$STATE/sinks-bin/sms_sink.py" \
		--port "$SMS_PORT" --dir "$SINKDIR/sms" --token-file "$STATE/sms-token"
	wait_port "$SMS_PORT" sms-sink
}

# The payment sink (devgateway and PayTR), with the demo clinic's merchant.
pay_sink_start() {
	pid_alive "$RUNDIR/pay-sink.pid" pay_sink.py && return 0
	sinks_install
	pay_secret
	start_bg pay-sink -- "$SYS_PYTHON" "$STATE/sinks-bin/pay_sink.py" \
		--port "$PAY_PORT" --dir "$SINKDIR/pay" --merchant "simple-dent=$STATE/pay-secret"
	wait_port "$PAY_PORT" pay-sink
}

smtp_sink_stop() { stop_pid smtp-sink smtp_sink.py 5; }
sms_sink_stop() { stop_pid sms-sink sms_sink.py 5; }
pay_sink_stop() { stop_pid pay-sink pay_sink.py 5; }
sinks_start() { smtp_sink_start; sms_sink_start; pay_sink_start; }
sinks_stop() { smtp_sink_stop; sms_sink_stop; pay_sink_stop; }

# nginx's sign-in rate limit (per client address, each side on its own; see
# nginx/portal.conf.in): loose here, so that the API and browser tests, which
# sign in a lot from 127.0.0.1, never meet it. tests/fault/nginx_limits.test.mjs
# tightens it in the generated site on purpose.
NGINX_SIGNIN_RATE=1000r/s
NGINX_SIGNIN_BURST=10000
NGINX_SIGNIN_RETRY_AFTER=1

# nginx runs as $RUN_USER with everything of its own under $STATE/nginx.
nginx_start() {
	local site="$STATE/nginx/site.conf" main="$STATE/nginx/nginx.conf" tmp f left
	local headers="$STATE/nginx/headers.conf" bench="$STATE/nginx/bench.conf"
	tmp=$(mktemp)
	for f in portal:"$site" portal-headers:"$headers"; do
		sed -e "s|@LISTEN@|127.0.0.1:$HTTP_PORT|g" -e "s|@SERVER_NAME@|localhost|g" \
			-e "s|@WEB_ROOT@|$PREFIX/share/patient-portal/web|g" \
			-e "s|@MAX_BODY@|1m|g" -e "s|@MAX_UPLOAD@|20m|g" \
			-e "s|@SIGNIN_RATE@|$NGINX_SIGNIN_RATE|g" \
			-e "s|@SIGNIN_BURST@|$NGINX_SIGNIN_BURST|g" \
			-e "s|@SIGNIN_RETRY_AFTER@|$NGINX_SIGNIN_RETRY_AFTER|g" \
			-e "s|@API_SOCKET@|$API_SOCKET|g" \
			-e "s|@FILES_ROOT@|$STATE/files|g" -e "s|@HEADERS_FILE@|$headers|g" \
			-e "s|@ACCESS_LOG@|$LOGDIR/nginx-access.log|g" \
			-e "/^    listen /a\\    include $bench;" \
			"$ROOT/nginx/${f%%:*}.conf.in" > "$tmp"
		# A placeholder left over may still be valid nginx (a map value).
		left=$(grep -v '^ *#' "$tmp" | grep -o '@[A-Z_]*@' | sort -u | tr '\n' ' ' || true)
		if [ -n "$left" ]; then
			rm -f "$tmp"
			die "nginx/${f%%:*}.conf.in: placeholders this script does not fill: $left"
		fi
		install -o "$RUN_USER" -g "$RUN_USER" -m 0640 "$tmp" "${f#*:}"
	done
	# The benchmark's FastCGI ceiling (tests/perf/appointments.test.mjs), in
	# the development and test stacks only: their copy of the site includes
	# this file (the line added above), an installed site has no such
	# include. It passes to the socket of the benchmark's own responder
	# (tests/perf/fcgi_ceiling.c, started by the benchmark) with the same
	# parameters as /api/, taken from the site itself. Beside it, the static
	# ceiling of a served file (tests/perf/documents.test.mjs): nginx sending
	# the file the benchmark writes at $STATE/bench/static.bin, as /_files/
	# sends a stored one but without the API before it.
	{
		echo "# Written by scripts/lib/stack.sh: for the benchmark, in this stack only."
		echo "location = /_bench/fcgi {"
		echo "    fastcgi_pass unix:$RUNDIR/bench-fcgi.sock;"
		sed -n '/^    location ^~ \/api\/ {$/,/^    }$/p' "$site" |
			grep -E '^ *fastcgi_(param|read_timeout|send_timeout) '
		echo "}"
		echo "location = /_bench/static.bin {"
		echo "    alias $STATE/bench/static.bin;"
		echo "}"
	} > "$tmp"
	install -o "$RUN_USER" -g "$RUN_USER" -m 0640 "$tmp" "$bench"
	cat > "$tmp" <<NGINX
# Written by scripts/lib/stack.sh: nginx for the stack in $STATE.
worker_processes 2;
pid $RUNDIR/nginx.pid;
error_log $LOGDIR/nginx-error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path $STATE/nginx/tmp/body;
    fastcgi_temp_path $STATE/nginx/tmp/fastcgi;
    proxy_temp_path $STATE/nginx/tmp/proxy;
    uwsgi_temp_path $STATE/nginx/tmp/uwsgi;
    scgi_temp_path $STATE/nginx/tmp/scgi;
    sendfile on;
    keepalive_timeout 30;
    include $site;
}
NGINX
	install -o "$RUN_USER" -g "$RUN_USER" -m 0640 "$tmp" "$main"
	rm -f "$tmp"
	as_user /usr/sbin/nginx -e "$LOGDIR/nginx-error.log" -t -q -p "$STATE/nginx" -c "$main" ||
		die "nginx config test failed; see $LOGDIR/nginx-error.log"
	if pid_alive "$RUNDIR/nginx.pid" nginx; then
		as_user /usr/sbin/nginx -e "$LOGDIR/nginx-error.log" -p "$STATE/nginx" -c "$main" -s reload
		return 0
	fi
	say "starting nginx on $BASE_URL"
	as_user /usr/sbin/nginx -e "$LOGDIR/nginx-error.log" -p "$STATE/nginx" -c "$main" ||
		die "nginx did not start; see $LOGDIR/nginx-error.log"
}

nginx_stop() {
	stop_pid nginx nginx
}

wait_healthy() {
	for _ in $(seq 1 100); do
		curl -fsS -o /dev/null "$BASE_URL/api/v1/health" 2>/dev/null && return 0
		sleep 0.1
	done
	die "$BASE_URL/api/v1/health does not answer 200; see $LOGDIR"
}

stack_up() {
	stack_paths
	stack_dirs
	write_conf
	db_start
	db_setup
	sinks_start
	api_start
	notifier_start
	nginx_start
	wait_healthy
}

stack_down() {
	stack_paths
	[ -d "$RUNDIR" ] || return 0
	nginx_stop
	stop_pid portal-notifier2 portal-notifier
	stop_pid portal-notifier portal-notifier
	stop_pid portal-api portal-api 20
	sinks_stop
	db_stop
}
