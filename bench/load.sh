#!/usr/bin/env bash
# Load benchmark of the hot path (issues 5, 17 and 19), run by `make bench`. Loopback only;
# every step is bounded in time; stops by itself and cleans up what it started (servers, nginx,
# load generators, the throwaway PostgreSQL cluster, the temp dir with every key in it).
#
# Baselines: "nginx static file" is nginx (one worker, keep-alive, access_log off) serving a
# copy of our /api/v1/me answer from a file; "nginx return 200 (memory)" is the same nginx
# answering `return 200 '<the same body>'` from its configuration, no file, the fastest answer
# an HTTP server can give. Our server runs --threads 1 --no-access-log unless said otherwise.
# With PIN=1 (default, 2+ cores) our server, nginx and the sqlite3 baseline run on the last
# core and the load generators on the others, so "the same core" is literal (not section 4).
#
#  1. GET /api/v1/me, one key repeated, 1 thousand keys in the store, against nginx static
#     file and nginx return 200 (memory), same path: wrk -t1 -c32 --latency, alternated ROUNDS
#     times. Requests/s of each, our ratios to both, p50/p99.
#  2. The same load on a copy of the store with 1 million keys, alternated with the 1 thousand
#     one: throughput ratio 1M/1K (one key repeated: the store's size only).
#  3. Resident memory of the server before and after one verification of each of the
#     1 million keys (POST /api/v1/keys/verify through a wrk Lua script), so all are cached.
#  4. Key checks under a login flood (issue 17): the same wrk load on /api/v1/me alone, then
#     while a second wrk floods POST /api/login for random emails (FLOOD_CONNECTIONS
#     connections; after a 503 a connection waits FLOOD_PAUSE_MS before its next login),
#     alternated ROUNDS times: p50/p99 idle and under the flood, side by side, and what the
#     flood was answered. The server runs with --signin-address-limit 1000000 here: the flood
#     comes from one address, and it is the hashing pool, not the per-address limit, that must
#     hold against a flood from many. Each round ends with a baseline: the same wrk sending as
#     many requests a second that cost the server nothing (no hash, no store), so the key
#     check's loss to a second load generator on the same cores is printed beside its loss to
#     the login flood; and with a busy loop at the hashing threads' priority (SCHED_IDLE)
#     instead, what any CPU-bound work at that priority on the server's core costs it. Pinned
#     like the other sections (the whole server, hashing threads included, on the server's
#     core; both wrk on the others): FLOOD_PIN=0 lets every process run anywhere, where wrk and
#     the server's threads share both cores.
#  5. Distinct keys (issue 19): GET /api/v1/me cycling through DISTINCT distinct real keys
#     (default 10,000 and 1,000,000; the 1M store of section 2) beside the single-key run and
#     nginx return 200, after one warm-up pass that caches every key. Each load twice: wrk
#     (a Lua script walks the key file; the single-key run goes through the same script) and
#     closed_loop (bench/closed_loop.cc: N connections, one thread each, each walking its own
#     slice of the file, raw latency of every request, no coordinated-omission correction).
#     Goal: distinct keys >= 0.9x single-key throughput, p99 within 2x.
#  6. POST /api/v1/keys/verify (one key, {"key": "..."}) against nginx return 200 of our
#     verify answer, same core, wrk, alternated. Goal: >= 0.9x nginx.
#  7. Writes: key create (POST /api/keys) and rotate (POST /api/keys/{id}/rotate) through the
#     server with a console session (cookie + X-CSRF-Token), closed_loop -c WRITE_CONNECTIONS,
#     beside the statements of SqlStore::CreateKey / RotateKey run directly against the same
#     kind of database, each create or rotate in its own transaction: a sqlite3 script on the
#     server's SQLite file, and pgbench -f on a throwaway PostgreSQL cluster
#     (scripts/pg-test-cluster) that a second server uses. Goal: >= 0.8x the direct rate;
#     rotate's p99 on SQLite < 5 ms.
#  8. Access log: GET /api/v1/me with the default access log written to a real file in the
#     temp dir beside the same with --no-access-log, alternated. Goal: costs <= 3%.
#  9. GET /api/v1/keys/check (issue 18, what nginx auth_request asks), one key, beside
#     GET /api/v1/me with the same key on the same server, and nginx `return 204` (memory) on
#     the same core, wrk, alternated. Goal: check >= /api/v1/me (same cached path, no body).
# 10. Where the distinct-key gap goes, in figures no noisy neighbour moves: the server of
#     section 5 under valgrind's callgrind with its cache simulation (L1 32 KiB; a 1 MiB
#     last level, the size of one core's L2), GET /api/v1/me for MISS_KEYS distinct keys, each
#     once, beside as many requests with one key, twice each after a warm-up pass: the
#     instructions and simulated cache misses per request of the I/O thread (the request path)
#     and of the other threads (the usage flush, checkpoints). Simulated caches do not model
#     the hardware's prefetching or its TLB, so read them as counts of cold places touched,
#     not as time. A few minutes; needs valgrind.
#
# Environment knobs (defaults in brackets):
#   SECTIONS [1 2 3 4 5 6 7 8 9] which sections run, e.g. SECTIONS="5 7"
#   DURATION [10s]          one wrk run in sections 1-4 (whole seconds, "Ns")
#   SHORT_DURATION [5s]     one wrk or closed_loop run in sections 5-9
#   ROUNDS [3]              alternated rounds of each section
#   CONNECTIONS [32]        wrk -c and closed_loop -c for reads
#   MANY [1000000]          keys in the big store (sections 2, 3, 5); FEW [1000] in the small
#   DISTINCT [10000 1000000]  distinct-key loads of section 5 (each capped at MANY)
#   WRITE_CONNECTIONS [8]   closed_loop -c and pgbench -c for section 7
#   PGBENCH_MODE [prepared] pgbench -M (the database at its best; the server uses extended)
#   PG [1]                  0 skips PostgreSQL in section 7
#   PIN [1]                 0 lets every process run on any core
#   FLOOD_CONNECTIONS [12], FLOOD_PAUSE_MS [50], FLOOD_SERVER_FLAGS  section 4's flood
#   FLOOD_PIN [1]           0 runs section 4 unpinned
#   SERVER_LOG [/dev/null]  the servers' stderr; BUILD, SERVER, CLIENT: the binaries
#   MISS_KEYS [10000]       section 10's distinct keys (capped at MANY); MISS_SETTLE [10]
#                           seconds after each of its windows, for that window's usage flush
#   KEEP_TMP [0]            1 keeps the temp dir (stores, key files, figures) and names it
# Quick check of the script itself: DURATION=2s SHORT_DURATION=2s ROUNDS=1 MANY=20000.
#
# Figures only: nothing here passes or fails on time. All keys are generated at run time in
# the temp dir and deleted with it; none is printed. Needs wrk, nginx (nginx-light), curl, jq,
# python3, sqlite3, taskset, and for section 7 PostgreSQL (initdb, psql, pgbench).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$root/build}
SERVER=${SERVER:-$BUILD/bin/2501-accounts}
CLIENT=${CLIENT:-$BUILD/bin/closed_loop}
DURATION=${DURATION:-10s}  # of one wrk run in sections 1-4
SHORT_DURATION=${SHORT_DURATION:-5s}  # of one run in sections 5-9
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-3}
MANY=${MANY:-1000000}       # keys in the big store
FEW=${FEW:-1000}            # keys in the small store
DISTINCT=${DISTINCT:-10000 1000000}
WRITE_CONNECTIONS=${WRITE_CONNECTIONS:-8}
PGBENCH_MODE=${PGBENCH_MODE:-prepared}
PG=${PG:-1}
PIN=${PIN:-1}
SERVER_LOG=${SERVER_LOG:-/dev/null}  # the servers' stderr
SECTIONS=${SECTIONS:-1 2 3 4 5 6 7 8 9 10}
MISS_KEYS=${MISS_KEYS:-10000}
MISS_SETTLE=${MISS_SETTLE:-10}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-12}
FLOOD_PAUSE_MS=${FLOOD_PAUSE_MS:-50}
FLOOD_SERVER_FLAGS=${FLOOD_SERVER_FLAGS---signin-address-limit 1000000}
FLOOD_PIN=${FLOOD_PIN:-1}

want() { [[ " $SECTIONS " == *" $1 "* ]]; }

tools=(wrk nginx curl jq python3 sqlite3 taskset)
if want 10; then tools+=(valgrind callgrind_control); fi
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || {
    echo "load.sh: $tool is missing (BOOTSTRAP_BENCH=1 scripts/bootstrap installs it)" >&2
    exit 1
  }
done
[[ -x $SERVER ]] || { echo "load.sh: $SERVER not built (make build)" >&2; exit 1; }
if want 5 || want 7 || want 10; then
  # make bench builds the server and key_bench; the client is built here, a no-op when current.
  if [[ -f $BUILD/CMakeCache.txt ]]; then
    # A build dir configured before closed_loop existed learns of it from a fresh configure.
    cmake --build "$BUILD" --target closed_loop >/dev/null 2>&1 ||
      { cmake -S "$root" -B "$BUILD" >/dev/null && cmake --build "$BUILD" --target closed_loop >/dev/null; } ||
      exit 1
  fi
  [[ -x $CLIENT ]] || { echo "load.sh: $CLIENT not built (cmake --build build --target closed_loop)" >&2; exit 1; }
fi

tmp=$(mktemp -d /tmp/tfzo-bench.XXXXXX)
chmod 755 "$tmp"  # nginx's worker may run as another user and reads www/ below
pids=()
pg_dir=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n $pg_dir ]]; then "$root/scripts/pg-test-cluster" destroy "$pg_dir" >/dev/null 2>&1 || true; fi
  if [[ ${KEEP_TMP:-0} == 1 ]]; then
    echo "load.sh: kept $tmp (stores, key files, figures)" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- helpers -------------------------------------------------------------------------------

# Pinning: the server under test, nginx and the sqlite3 baseline on the last core, the load
# generators on the others. `pinning=0` (section 4) turns it off for a while.
server_cpu=""
client_cpus=""
cores=$(nproc)
if [[ $PIN == 1 ]] && ((cores >= 2)); then
  server_cpu=$((cores - 1))
  client_cpus="0-$((cores - 2))"
fi
pinning=1
on_server_cpu() {
  if [[ -n $server_cpu && $pinning == 1 ]]; then taskset -c "$server_cpu" "$@"; else "$@"; fi
}
# For a process started in the background: "${server_pin[@]}" CMD & (taskset execs CMD, so $!
# is its pid, which cleanup can stop; a function run with & would be a subshell's).
set_server_pin() {
  server_pin=()
  if [[ -n $server_cpu && $pinning == 1 ]]; then server_pin=(taskset -c "$server_cpu"); fi
}
set_client_pin() {
  client_pin=()
  if [[ -n $client_cpus && $pinning == 1 ]]; then client_pin=(taskset -c "$client_cpus"); fi
}
on_client_cpus() {
  if [[ -n $client_cpus && $pinning == 1 ]]; then taskset -c "$client_cpus" "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_server NAME DB [flags...]: starts 2501-accounts on DB (a SQLite path or a
# postgresql:// URL); sets <NAME>_pid and <NAME>_port. No access log unless ACCESS_LOG=1.
# start_server NAME DB [FLAGS...]: the server on DB, its pid in NAME_pid and port in NAME_port.
# server_wrap: a command it runs under (section 10's valgrind); start_tries: tenths of a second
# to wait for it.
server_wrap=()
start_tries=100
start_server() {
  local name=$1 db=$2 out="$tmp/$1.out"
  shift 2
  [[ $db == *://* ]] || db="sqlite:$db"
  # No access log, like nginx below (access_log off): both answer without writing a line.
  local log_flag=--no-access-log
  : >"$out"  # there before the server opens it: the loop below reads it at once
  [[ ${ACCESS_LOG:-0} == 1 ]] && log_flag=--access-log
  set_server_pin
  # Mail (a notice per key created) goes to .eml files under $tmp, removed with it. The write
  # benchmarks create far more keys for one account than the default quota allows (a server
  # from before quotas, SERVER=..., has no such flag).
  local quota=()
  "$SERVER" serve --help | grep -q -- --max-active-keys && quota=(--max-active-keys 1000000)
  "${server_pin[@]}" "${server_wrap[@]}" "$SERVER" serve --listen 127.0.0.1:0 --db "$db" \
    --threads 1 "$log_flag" --outbox "$tmp/outbox-$name" "${quota[@]}" "$@" >"$out" 2>>"$SERVER_LOG" &
  local pid=$!
  pids+=("$pid")
  local port=""
  for _ in $(seq "$start_tries"); do
    port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$out")
    [[ -n $port ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z $port ]]; then
    echo "load.sh: the server did not start (run with SERVER_LOG=/tmp/server.log to see why)" >&2
    exit 1
  fi
  printf -v "${name}_pid" '%s' "$pid"
  printf -v "${name}_port" '%s' "$port"
}

stop_server() {
  local pid=$1
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  forget "$pid"
}

# forget PID: a process that has ended leaves the list cleanup stops and waits for.
forget() {
  local keep=() p
  for p in "${pids[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  pids=("${keep[@]}")
}

# sign_up BASE PREFIX: a console account on the server at BASE; sets <PREFIX>_account (its
# id), <PREFIX>_csrf and <PREFIX>_cookie (the session cookie's value). Cookies in the temp dir.
sign_up() {
  local base=$1 prefix=$2 answer
  answer=$(curl -sS -c "$tmp/$prefix.cookies" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"bench-password-1","name":"Bench"}' \
    "$base/api/signup")
  printf -v "${prefix}_account" '%s' "$(jq -r .account.id <<<"$answer")"
  printf -v "${prefix}_csrf" '%s' "$(jq -r .csrf_token <<<"$answer")"
  printf -v "${prefix}_cookie" '%s' "$(awk '$6 == "tfzo_session" {print $7}' "$tmp/$prefix.cookies")"
}

# new_key BASE PREFIX: creates a key through the console session of sign_up PREFIX; prints it.
new_key() {
  local base=$1 prefix=$2 csrf_var="${2}_csrf" key
  key=$(curl -sS -b "$tmp/$prefix.cookies" -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: ${!csrf_var}" -d '{"name":"bench"}' "$base/api/keys" | jq -r .secret)
  [[ $key == tfzo_* ]] || { echo "load.sh: could not create a key" >&2; exit 1; }
  echo "$key"
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

run_duration=$DURATION  # sections 5-9 set SHORT_DURATION

# run_wrk NAME URL [wrk args...]: runs wrk; prints requests/s, p50 ms, p99 ms, errors to
# $tmp/NAME.fig and keeps the raw output in $tmp/NAME.wrk.
run_wrk() {
  local name=$1 url=$2
  shift 2
  on_client_cpus wrk -t1 -c"$CONNECTIONS" -d"$run_duration" --latency "$@" "$url" \
    >"$tmp/$name.wrk" 2>&1 || true
  awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
      if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
      return v + 0
    }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { bad += $NF }
    /Socket errors:/ { for (i = 3; i <= NF; i += 2) bad += $(i + 1) }
    END { printf "%s %.3f %.3f %d\n", rps + 0, p50, p99, bad }
  ' "$tmp/$name.wrk" >"$tmp/$name.fig"
  cat "$tmp/$name.fig"
}

# run_client NAME URL [closed_loop args...]: the same with the closed-loop client (raw
# latency of every request): requests/s, p50 ms, p99 ms, failures to $tmp/NAME.fig.
run_client() {
  local name=$1 url=$2
  shift 2
  if ! on_client_cpus "$CLIENT" --url "$url" -c "$CONNECTIONS" -d "${run_duration%s}" "$@" \
    >"$tmp/$name.fig" 2>"$tmp/$name.err"; then
    echo "0 0 0 1" >"$tmp/$name.fig"
    echo "load.sh: closed_loop failed: $(head -c 300 "$tmp/$name.err")" >&2
  fi
  cat "$tmp/$name.fig"
}

# server_ticks PID: the CPU time so far (user + system, clock ticks) of the server's threads by
# what they do (docs/DESIGN.md, "Threads"): "IO FLUSH OTHER", IO the main thread (with
# --threads 1 the one I/O thread), FLUSH the usage flush (usage-flush) and its checkpoints
# (sqlite-ckpt), OTHER the rest.
server_ticks() {
  local io=0 flush=0 other=0 t name f
  local -a stat
  for t in /proc/"$1"/task/*; do
    read -r name 2>/dev/null <"$t/comm" || continue  # a thread that has ended since the glob
    f=$(cat 2>/dev/null "$t/stat") || continue
    read -r -a stat <<<"${f##*) }"  # from the 3rd field on: utime is the 14th, stime the 15th
    local ticks=$((stat[11] + stat[12]))
    case $name in
      usage-flush | sqlite-ckpt) flush=$((flush + ticks)) ;;
      *) if [[ ${t##*/} == "$1" ]]; then io=$((io + ticks)); else other=$((other + ticks)); fi ;;
    esac
  done
  echo "$io $flush $other"
}
clock_ticks=$(getconf CLK_TCK)

mean() { awk '{ s += $1 } END { if (NR) printf "%.0f", s / NR; else print 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# Over the rounds of run NAME: col NAME FIELD, the mean; median_of, the median round; worst_of.
col() { for r in $(seq "$ROUNDS"); do cut -d' ' -f"$2" "$tmp/$1$r.fig"; done | mean; }
col_f() { for r in $(seq "$ROUNDS"); do cut -d' ' -f"$2" "$tmp/$1$r.fig"; done | awk '{ s += $1 } END { if (NR) printf "%.2f", s / NR }'; }
median_of() { for r in $(seq "$ROUNDS"); do cut -d' ' -f"$2" "$tmp/$1$r.fig"; done | sort -g | sed -n "$(((ROUNDS + 1) / 2))p"; }
worst_of() { for r in $(seq "$ROUNDS"); do cut -d' ' -f"$2" "$tmp/$1$r.fig"; done | sort -g | tail -1; }

# --- the account, the key and the answers nginx will copy ----------------------------------

echo "== 2501 Accounts load benchmark: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores," \
  "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "   wrk -t1 -c$CONNECTIONS --latency (-d$DURATION in sections 1-4, -d$SHORT_DURATION in 5-9);" \
  "server --threads 1; nginx worker_processes 1"
if [[ -n $server_cpu ]]; then
  echo "   pinned: server, nginx and sqlite3 on cpu $server_cpu, wrk and closed_loop on cpu" \
    "$client_cpus$([[ $FLOOD_PIN == 1 ]] || echo " (not in section 4)")"
fi
echo "   load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

few_db="$tmp/few.db"
start_server setup "$few_db"
base="http://127.0.0.1:$setup_port"
sign_up "$base" setup
account_id=$setup_account
key=$(new_key "$base" setup)
auth="Authorization: Bearer $key"
printf '%s\n' "$key" >"$tmp/single.txt"  # the one-key file of the Lua scripts and closed_loop
mkdir -p "$tmp/www/api/v1"
curl -sS -f -H "$auth" "$base/api/v1/me" >"$tmp/www/api/v1/me"
curl -sS -f -H 'Content-Type: application/json' -d "{\"key\":\"$key\"}" \
  "$base/api/v1/keys/verify" >"$tmp/verify.body"
me_type=$(curl -sS -f -o /dev/null -w '%{content_type}' -H "$auth" "$base/api/v1/me")
chmod -R a+rX "$tmp/www"
body_bytes=$(wc -c <"$tmp/www/api/v1/me")
stop_server "$setup_pid"

# --- 1M generated keys (real ones: known values, valid checksums), the two stores ----------

if want 1 || want 2 || want 3 || want 5 || want 10; then
echo "-- generating $MANY keys and filling the stores ($FEW and $MANY keys) ..."
gen_start=$SECONDS
python3 - "$tmp/keys.txt" "$few_db" "$tmp/many.db" "$account_id" "$FEW" "$MANY" <<'PY'
import hashlib, os, shutil, sqlite3, sys, time, zlib

keys_path, few_db, many_db, account_id = sys.argv[1:5]
few, many = int(sys.argv[5]), int(sys.argv[6])
ALPHABET = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Uniform base62 from the OS CSPRNG by rejection: bytes >= 248 (4 * 62) are dropped.
TABLE = bytes(ALPHABET[b % 62] if b < 248 else 0 for b in range(256))
DROP = bytes(range(248, 256))

def base62_stream(chars):
    out = b""
    while len(out) < chars:
        out += os.urandom(chars * 33 // 32 + 64).translate(TABLE, DROP)
    return out[:chars].decode()

def checksum(body):
    crc = zlib.crc32(body.encode())
    digits = []
    for _ in range(6):
        crc, r = divmod(crc, 62)
        digits.append(ALPHABET[r])
    return bytes(reversed(digits)).decode()

n = many - 1  # the key created through the API is the last one of the million
bodies = base62_stream(30 * n)
ids = base62_stream(22 * n)
now = int(time.time())
rows_keys, rows_secrets = [], []
with open(keys_path, "w") as f:
    for i in range(n):
        body = bodies[30 * i : 30 * i + 30]
        key = "tfzo_" + body + checksum(body)
        f.write(key + "\n")
        key_id = "key_" + ids[22 * i : 22 * i + 22]
        hint = "tfzo_..." + key[-4:]
        rows_keys.append((key_id, account_id, "bench", "", hint, now))
        rows_secrets.append((hashlib.sha256(key.encode()).hexdigest(), key_id, hint, now))

def insert(db, lo, hi):
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO api_keys (id, account_id, name, description, hint, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)", rows_keys[lo:hi])
    con.executemany("INSERT INTO key_uses (key_id) VALUES (?)",
                    [(row[0],) for row in rows_keys[lo:hi]])
    con.executemany(
        "INSERT INTO key_secrets (digest, key_id, hint, created_at) VALUES (?, ?, ?, ?)",
        rows_secrets[lo:hi])
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()

insert(few_db, 0, few - 1)
shutil.copyfile(few_db, many_db)
insert(many_db, few - 1, n)
PY
count() { sqlite3 "$1" 'SELECT count(*) FROM key_secrets'; }
echo "   done in $((SECONDS - gen_start)) s: $(count "$few_db") keys in the small store," \
  "$(count "$tmp/many.db") in the big one"
# Every key of the big store, the one created through the API last.
cat "$tmp/keys.txt" "$tmp/single.txt" >"$tmp/all.txt"
fi

# --- nginx: a static file, and return 200 from memory -------------------------------------

if want 1 || want 5 || want 6 || want 9; then
# nginx's return text is a quoted string in which $ starts a variable: our answers have none.
for f in "$tmp/www/api/v1/me" "$tmp/verify.body"; do
  if grep -q "[\$'\\\\]" "$f"; then
    echo "load.sh: an answer holds \$, ' or \\, which nginx's return 200 would not copy" >&2
    exit 1
  fi
done
nginx_port=$(free_port)
memory_port=$(free_port)
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  keepalive_requests 1000000;
  # "nginx static file": our /api/v1/me answer copied into a file.
  server {
    listen 127.0.0.1:$nginx_port;
    root $tmp/www;
    location = /api/v1/me { default_type application/json; }
  }
  # "nginx return 200 (memory)": the same answers from the configuration, no file.
  server {
    listen 127.0.0.1:$memory_port;
    default_type "$me_type";
    location = /api/v1/me { return 200 '$(cat "$tmp/www/api/v1/me")'; }
    location = /api/v1/keys/verify { return 200 '$(cat "$tmp/verify.body")'; }
    location = /api/v1/keys/check { return 204; }
  }
}
EOF
set_server_pin
"${server_pin[@]}" nginx -e "$tmp/nginx/error.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" \
  >"$tmp/nginx/out" 2>&1 &
pids+=($!)
nginx_base="http://127.0.0.1:$nginx_port"
memory_base="http://127.0.0.1:$memory_port"
for _ in $(seq 50); do curl -sf -o /dev/null "$nginx_base/api/v1/me" && break; sleep 0.1; done
nginx_bytes=$(curl -sS -f "$nginx_base/api/v1/me" | wc -c)
memory_bytes=$(curl -sS -f "$memory_base/api/v1/me" | wc -c)
fi

# --- 1. ours vs nginx, 1 thousand keys in the store ----------------------------------------

if want 1 || want 2; then
start_server few "$few_db"
few_base="http://127.0.0.1:$few_port"
curl -sS -f -o /dev/null -H "$auth" "$few_base/api/v1/me"  # the key is cached from here on
fi

if want 1; then
echo
echo "-- 1. GET /api/v1/me, one key: 2501-accounts ($FEW keys in the store) vs nginx static file" \
  "and nginx return 200 (memory) ($body_bytes vs $nginx_bytes and $memory_bytes bytes of body)"
echo "   (req/s; latency in ms; nginx's beside ours, as the floor this machine sets)"
printf '%-6s %10s %10s %10s %7s %7s %8s %8s %8s %8s %8s\n' round "ours" "static" "memory" \
  "/static" "/memory" "our p50" "our p99" "stat p99" "mem p99" errors
for r in $(seq "$ROUNDS"); do
  read -r ours p50 p99 bad < <(run_wrk "ours$r" "$few_base/api/v1/me" -H "$auth")
  read -r theirs _ np99 nbad < <(run_wrk "nginx$r" "$nginx_base/api/v1/me")
  read -r memory _ mp99 mbad < <(run_wrk "memory$r" "$memory_base/api/v1/me")
  printf '%-6s %10.0f %10.0f %10.0f %7s %7s %8.3f %8.3f %8.3f %8.3f %8s\n' "$r" "$ours" \
    "$theirs" "$memory" "$(ratio "$ours" "$theirs")" "$(ratio "$ours" "$memory")" "$p50" "$p99" \
    "$np99" "$mp99" "$bad/$nbad/$mbad"
done
fi

# --- 2. 1 million keys in the store vs 1 thousand ------------------------------------------

if want 2 || want 3; then
start_server many "$tmp/many.db"
many_base="http://127.0.0.1:$many_port"
curl -sS -f -o /dev/null -H "$auth" "$many_base/api/v1/me"

fi
if want 2; then
echo
echo "-- 2. GET /api/v1/me with $MANY keys in the store vs $FEW (alternated)"
printf '%-6s %14s %14s %7s %9s %9s\n' round "1K req/s" "1M req/s" "1M/1K" "1M p50" "1M p99"
for r in $(seq "$ROUNDS"); do
  read -r few_rps _ _ _ < <(run_wrk "few$r" "$few_base/api/v1/me" -H "$auth")
  read -r many_rps mp50 mp99 _ < <(run_wrk "many$r" "$many_base/api/v1/me" -H "$auth")
  printf '%-6s %14.0f %14.0f %7s %9.3f %9.3f\n' "$r" "$few_rps" "$many_rps" \
    "$(ratio "$many_rps" "$few_rps")" "$mp50" "$mp99"
done
fi
if want 1 || want 2; then stop_server "$few_pid"; fi

# --- 3. resident memory with 1 million keys cached -----------------------------------------

if want 3; then
cat >"$tmp/verify.lua" <<'LUA'
-- One POST /api/v1/keys/verify per key of the file, then stop.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  keys = {}
  for line in io.lines(os.getenv("TFZO_KEYS")) do keys[#keys + 1] = line end
  n, i, answered, refused = #keys, 0, 0, 0
end
function request()
  i = i % n + 1
  return wrk.format("POST", "/api/v1/keys/verify", {["Content-Type"] = "application/json"},
                    '{"key":"' .. keys[i] .. '"}')
end
function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 or not body:find('"valid":true', 1, true) then refused = refused + 1 end
  if answered == n then
    -- wrk runs for its whole -d even when its threads stop: tell load.sh, which interrupts it.
    io.open(os.getenv("TFZO_DONE"), "w"):close()
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    io.write(string.format("verified: %d answered, %d refused\n", t:get("answered"), t:get("refused")))
  end
end
LUA

echo
echo "-- 3. resident memory of 2501-accounts, $MANY keys in the store"
rss0=$(rss_kib "$many_pid")
fill_start=$SECONDS
set_client_pin
TFZO_KEYS="$tmp/keys.txt" TFZO_DONE="$tmp/fill.done" "${client_pin[@]}" wrk -t1 -c"$CONNECTIONS" -d300s \
  -s "$tmp/verify.lua" "$many_base" >"$tmp/fill.wrk" 2>&1 &
wrk_pid=$!
pids+=("$wrk_pid")
while [[ ! -e $tmp/fill.done ]] && kill -0 "$wrk_pid" 2>/dev/null; do sleep 0.5; done
kill -INT "$wrk_pid" 2>/dev/null || true
wait "$wrk_pid" 2>/dev/null || true
rss1=$(rss_kib "$many_pid")
cached=$(curl -sS "$many_base/metrics" | awk '$1 == "tfzo_key_cache_keys" {print $2}')
echo "   $(grep '^verified:' "$tmp/fill.wrk" || echo 'verified: see wrk output') in" \
  "$((SECONDS - fill_start)) s; cached keys (metrics): ${cached:-n/a}"
awk -v a="$rss0" -v b="$rss1" -v n="$((MANY - 1))" 'BEGIN {
  printf "   VmRSS before: %.1f MiB, after: %.1f MiB, delta %.1f MiB = %.0f bytes per cached key\n",
         a / 1024, b / 1024, (b - a) / 1024, (b - a) * 1024 / n }'
fi
if want 2 || want 3; then stop_server "$many_pid"; fi

# --- 4. key checks under a login flood -----------------------------------------------------

if want 4; then
cat >"$tmp/flood.lua" <<'LUA'
-- POST /api/login for a new random email each time: no account has it, so each login the
-- server accepts costs a full argon2id verification. After a 503, this connection waits
-- TFZO_PAUSE_MS before its next login.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  math.randomseed(os.time())
  pause = tonumber(os.getenv("TFZO_PAUSE_MS")) or 0
  -- The baseline: the same connections sending as many requests that cost nothing (a body
  -- missing its fields: 400 before any store read or hash), each connection pacing itself.
  cheap_delay = tonumber(os.getenv("TFZO_CHEAP_DELAY_MS"))
  busy, c401, c429, c503, cother = false, 0, 0, 0, 0
end
function delay()
  if cheap_delay then return cheap_delay end
  if busy then busy = false; return pause end
  return 0
end
function request()
  if cheap_delay then
    return wrk.format("POST", "/api/login", {["Content-Type"] = "application/json"}, "{}")
  end
  local email = string.format("flood-%x%x@example.com", math.random(0, 2^30), math.random(0, 2^30))
  return wrk.format("POST", "/api/login", {["Content-Type"] = "application/json"},
                    '{"email":"' .. email .. '","password":"not-the-password"}')
end
function response(status, headers, body)
  if status == 401 or status == 400 then c401 = c401 + 1
  elseif status == 429 then c429 = c429 + 1
  elseif status == 503 then c503 = c503 + 1; busy = true
  else cother = cother + 1 end
end
function done(summary, latency, requests)
  local a, b, c, d = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    a, b, c, d = a + t:get("c401"), b + t:get("c429"), c + t:get("c503"), d + t:get("cother")
  end
  io.write(string.format("flood: %d 401/400 %d 429 %d 503 %d other\n", a, b, c, d))
end
LUA

pinning=$FLOOD_PIN
# Its log (no access lines) says how the hashing pool was sized.
# FLOOD_SERVER_FLAGS="" runs a server from before these flags existed.
# shellcheck disable=SC2086
SERVER_LOG="$tmp/flood.log" start_server flood "$tmp/flood.db" $FLOOD_SERVER_FLAGS
flood_base="http://127.0.0.1:$flood_port"
sign_up "$flood_base" flood
flood_key=$(new_key "$flood_base" flood)
flood_auth="Authorization: Bearer $flood_key"
curl -sS -f -o /dev/null -H "$flood_auth" "$flood_base/api/v1/me"
hashing=$(sed -n 's/.*password hashing: \(.*\)$/\1/p' "$tmp/flood.log" | head -1)

echo
echo "-- 4. GET /api/v1/me idle and under a login flood (alternated); the flood: wrk -t1" \
  "-c$FLOOD_CONNECTIONS, POST /api/login for random emails, ${FLOOD_PAUSE_MS} ms pause after a 503"
printf '%-6s %-12s %10s %8s %8s %7s   %s\n' round load "req/s" "p50 ms" "p99 ms" errors \
  "flood answers"
flood_seconds=$(( ${DURATION%s} + 4 ))
# measure_beside NAME VAR=VALUE...: the key checks measured (run_wrk NAME) while flood.lua,
# in the mode the variables set, floods from a second wrk; its answers go to $tmp/NAME.flood.
# Run it in this shell (not in a pipe), so that the flood has ended when it returns.
measure_beside() {
  local name=$1
  shift
  on_client_cpus env "$@" wrk -t1 -c"$FLOOD_CONNECTIONS" -d"${flood_seconds}s" -s "$tmp/flood.lua" \
    "$flood_base" >"$tmp/$name.flood" 2>&1 &
  local flooder=$!
  pids+=("$flooder")
  sleep 2
  run_wrk "$name" "$flood_base/api/v1/me" -H "$flood_auth" >"$tmp/$name.line"
  wait "$flooder" 2>/dev/null || true
}
for r in $(seq "$ROUNDS"); do
  read -r rps p50 p99 bad < <(run_wrk "idle$r" "$flood_base/api/v1/me" -H "$flood_auth")
  printf '%-6s %-12s %10.0f %8.3f %8.3f %7s\n' "$r" idle "$rps" "$p50" "$p99" "$bad"
  measure_beside "flooded$r" TFZO_PAUSE_MS="$FLOOD_PAUSE_MS"
  read -r rps p50 p99 bad <"$tmp/flooded$r.line"
  sleep 2  # the logins the flood left in the server finish before the next idle round
  answers=$(sed -n 's/^flood: //p' "$tmp/flooded$r.flood")
  printf '%-6s %-12s %10.0f %8.3f %8.3f %7s   %s\n' "$r" "login flood" "$rps" "$p50" "$p99" \
    "$bad" "$answers"
  # Baseline: as many requests a second from the same wrk, costing nothing on the server
  # (no hash, no store). What the key check loses to it is what sharing the cores with a
  # second load generator costs, not what argon2id costs.
  sent=$(awk '{print $1 + $3 + $5 + $7}' <<<"$answers")
  delay_ms=$(awk -v n="$sent" -v c="$FLOOD_CONNECTIONS" -v s="$flood_seconds" \
    'BEGIN {printf "%d", (n > 0 ? c * s * 1000 / n : 50)}')
  measure_beside "cheap$r" TFZO_CHEAP_DELAY_MS="$delay_ms"
  read -r rps p50 p99 bad <"$tmp/cheap$r.line"
  printf '%-6s %-12s %10.0f %8.3f %8.3f %7s   %s\n' "$r" "cheap flood" "$rps" "$p50" "$p99" \
    "$bad" "$(sed -n 's/^flood: //p' "$tmp/cheap$r.flood")"
  # Second baseline: no flood, one busy loop outside the server at the hashing threads'
  # priority (SCHED_IDLE), on the server's core. What the key check loses to it is what any
  # CPU-bound work so scheduled costs it there.
  set_server_pin
  "${server_pin[@]}" chrt --idle 0 sh -c 'while :; do :; done' &
  hog_pid=$!
  pids+=("$hog_pid")
  read -r rps p50 p99 bad < <(run_wrk "hog$r" "$flood_base/api/v1/me" -H "$flood_auth")
  kill "$hog_pid" 2>/dev/null || true
  wait "$hog_pid" 2>/dev/null || true
  printf '%-6s %-12s %10.0f %8.3f %8.3f %7s\n' "$r" "idle hog" "$rps" "$p50" "$p99" "$bad"
done
stop_server "$flood_pid"
fi

pinning=1
run_duration=$SHORT_DURATION
metric() { curl -sS "$1/metrics" | awk -v m="$2" '$1 == m {print $2}'; }

# --- 5. distinct keys ----------------------------------------------------------------------

if want 5; then
cat >"$tmp/keys.lua" <<'LUA'
-- GET /api/v1/me with each key of the file TFZO_KEYS in turn (Authorization: Bearer <key>).
-- wrk tells request() nothing of the connection, so the connections of its thread share one
-- cursor: together they walk the file in order, every key once per pass. Each request is two
-- concatenations whatever the number of keys, so the one-key run through this same script is
-- the fair baseline of the many-key ones.
function init(args)
  keys = {}
  for line in io.lines(os.getenv("TFZO_KEYS")) do keys[#keys + 1] = line end
  n, i = #keys, 0
  local req = wrk.format("GET", "/api/v1/me", {["Authorization"] = "Bearer @KEY@"})
  local at = req:find("@KEY@", 1, true)
  head, tail = req:sub(1, at - 1), req:sub(at + 5)
end
function request()
  i = i % n + 1
  return head .. keys[i] .. tail
end
LUA
# The distinct-key loads, each at most MANY keys, each file a prefix of the largest.
sizes=()
for d in $DISTINCT; do
  ((d > MANY)) && d=$MANY
  [[ " ${sizes[*]} " == *" $d "* ]] || sizes+=("$d")
done
largest=0
for d in "${sizes[@]}"; do
  head -n "$d" "$tmp/all.txt" >"$tmp/distinct$d.txt"
  ((d > largest)) && largest=$d
done
start_server distinct "$tmp/many.db"
distinct_base="http://127.0.0.1:$distinct_port"

echo
echo "-- 5. GET /api/v1/me with distinct keys (${sizes[*]}; $MANY in the store) beside one key" \
  "and nginx return 200 (memory)"
echo "   wrk: a Lua script walks the key file (one-key run: the same script); closed loop:" \
  "bench/closed_loop, each connection its own slice, raw latency of every request"
warm_start=$SECONDS
read -r _ _ _ warm_bad < <(run_duration=600s run_client warmup "$distinct_base" --once \
  --items "$tmp/distinct$largest.txt" --header 'Authorization: Bearer {}' --target /api/v1/me)
misses0=$(metric "$distinct_base" tfzo_key_cache_misses_total)
echo "   warm-up: each of the $largest keys once in $((SECONDS - warm_start)) s ($warm_bad" \
  "failed); cached keys (metrics): $(metric "$distinct_base" tfzo_key_cache_keys)"
printf '%-6s %-16s %10s %8s %8s | %10s %8s %8s %9s\n' round load "wrk req/s" "p50 ms" \
  "p99 ms" "raw req/s" "p50 ms" "p99 ms" errors
loads=(k1 "${sizes[@]/#/k}" nginx)
for r in $(seq "$ROUNDS"); do
  for tool in wrk client; do
    for l in "${loads[@]}"; do
      url=$distinct_base file=$tmp/single.txt
      [[ $l == nginx ]] && url=$memory_base
      [[ $l == k1 || $l == nginx ]] || file=$tmp/distinct${l#k}.txt
      if [[ $tool == wrk ]]; then
        [[ $l == nginx ]] || read -r io0 flush0 other0 < <(server_ticks "$distinct_pid")
        TFZO_KEYS=$file run_wrk "w_${l}_$r" "$url/api/v1/me" -s "$tmp/keys.lua" >/dev/null
        if [[ $l != nginx ]]; then
          # The server's CPU a request over the run, by thread: µs = ticks * 1e6 / CLK_TCK / n.
          read -r io1 flush1 other1 < <(server_ticks "$distinct_pid")
          n=$(awk '/ requests in / {print $1}' "$tmp/w_${l}_$r.wrk")
          awk -v n="${n:-0}" -v hz="$clock_ticks" -v io=$((io1 - io0)) -v fl=$((flush1 - flush0)) \
            -v ot=$((other1 - other0)) 'BEGIN { u = n > 0 ? 1e6 / hz / n : 0
              printf "%.2f %.2f %.2f %.2f\n", io * u, fl * u, ot * u, (io + fl + ot) * u }' \
            >"$tmp/cpu_${l}_$r.fig"
        fi
      else
        run_client "c_${l}_$r" "$url" --items "$file" --target /api/v1/me \
          --header 'Authorization: Bearer {}' >/dev/null
      fi
    done
  done
  for l in "${loads[@]}"; do
    case $l in
      k1) label="1 key" ;;
      nginx) label="nginx memory" ;;
      *) label="${l#k} keys" ;;
    esac
    read -r wrps wp50 wp99 wbad <"$tmp/w_${l}_$r.fig"
    read -r crps cp50 cp99 cbad <"$tmp/c_${l}_$r.fig"
    printf '%-6s %-16s %10.0f %8.3f %8.3f | %10.0f %8.3f %8.3f %9s\n' "$r" "$label" "$wrps" \
      "$wp50" "$wp99" "$crps" "$cp50" "$cp99" "$wbad/$cbad"
  done
done
misses=$(($(metric "$distinct_base" tfzo_key_cache_misses_total) - misses0))
echo "   store reads for key checks during the measured runs (tfzo_key_cache_misses_total): $misses"
echo "   the server's CPU a request in the wrk runs, µs (mean of the rounds; /proc/PID/task/*/stat):"
printf '   %-16s %10s %12s %8s %8s\n' load "I/O thread" "flush+ckpt" other total
for l in "${loads[@]}"; do
  [[ $l == nginx ]] && continue
  printf '   %-16s %10s %12s %8s %8s\n' "$([[ $l == k1 ]] && echo "1 key" || echo "${l#k} keys")" \
    "$(col_f "cpu_${l}_" 1)" "$(col_f "cpu_${l}_" 2)" "$(col_f "cpu_${l}_" 3)" "$(col_f "cpu_${l}_" 4)"
done
stop_server "$distinct_pid"
fi

# --- 6. verify vs nginx return 200 ---------------------------------------------------------

if want 6; then
cat >"$tmp/verify1.lua" <<'LUA'
-- POST /api/v1/keys/verify with the one key of the file TFZO_KEYS: a static request.
local f = assert(io.open(os.getenv("TFZO_KEYS")))
local key = f:read("*l")
f:close()
wrk.method = "POST"
wrk.body = '{"key":"' .. key .. '"}'
wrk.headers["Content-Type"] = "application/json"
LUA
grep -q '"valid":true' "$tmp/verify.body" || { echo "load.sh: verify did not accept the key" >&2; exit 1; }
start_server verify "$few_db"
verify_base="http://127.0.0.1:$verify_port"
curl -sS -f -o /dev/null -H 'Content-Type: application/json' -d "{\"key\":\"$key\"}" \
  "$verify_base/api/v1/keys/verify"
echo
echo "-- 6. POST /api/v1/keys/verify, one key: 2501-accounts vs nginx return 200 (memory) of the" \
  "same answer ($(wc -c <"$tmp/verify.body") bytes)${server_cpu:+, both on cpu $server_cpu}"
printf '%-6s %12s %12s %6s %8s %8s %10s %10s %7s\n' round "ours req/s" "nginx req/s" ratio \
  "our p50" "our p99" "nginx p50" "nginx p99" errors
for r in $(seq "$ROUNDS"); do
  read -r ours p50 p99 bad < <(TFZO_KEYS=$tmp/single.txt run_wrk "verify$r" \
    "$verify_base/api/v1/keys/verify" -s "$tmp/verify1.lua")
  read -r theirs np50 np99 nbad < <(TFZO_KEYS=$tmp/single.txt run_wrk "vnginx$r" \
    "$memory_base/api/v1/keys/verify" -s "$tmp/verify1.lua")
  printf '%-6s %12.0f %12.0f %6s %8.3f %8.3f %10.3f %10.3f %7s\n' "$r" "$ours" "$theirs" \
    "$(ratio "$ours" "$theirs")" "$p50" "$p99" "$np50" "$np99" "$bad/$nbad"
done
stop_server "$verify_pid"
fi

# --- 7. writes through the server vs the same statements run directly ---------------------

if want 7; then
write_secs=${run_duration%s}
per=8  # keys per connection in the rotate runs: no two connections rotate the same key
nrot=$((WRITE_CONNECTIONS * per))

# server_writes NAME BASE PREFIX create|rotate [IDS]: closed_loop creating keys, or rotating
# the keys of the file IDS, through the console session of sign_up PREFIX.
server_writes() {
  local name=$1 base=$2 prefix=$3 op=$4 ids=${5:-}
  local cookie_var=${prefix}_cookie csrf_var=${prefix}_csrf
  local args=(--header "Cookie: tfzo_session=${!cookie_var}" --header "X-CSRF-Token: ${!csrf_var}"
    --method POST)
  if [[ $op == create ]]; then
    args+=(--target /api/keys --header 'Content-Type: application/json' --body '{"name":"bench"}'
      --expect 201)
  else
    args+=(--target '/api/keys/{}/rotate' --items "$ids")  # no body: rotate takes it as {}
  fi
  CONNECTIONS=${connections:-$WRITE_CONNECTIONS} run_client "$name" "$base" "${args[@]}"
}

# The statements of SqlStore::CreateKey and SqlStore::RotateKey (src/store/statements.h,
# src/store/sql_store.cc) with values like the server's: keep them in step with the store.
# sqlite_script create|rotate N ACCOUNT [IDS]: N transactions for the sqlite3 shell, each in
# its own BEGIN IMMEDIATE ... COMMIT as SqliteDatabase runs them, with the server's pragmas.
sqlite_script() {
  python3 - "$@" <<'PY'
import secrets, sys, time
op, n, account = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ids = open(sys.argv[4]).read().split() if op == "rotate" else []
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
def new_id(prefix): return prefix + "_" + "".join(secrets.choice(B62) for _ in range(22))
now = int(time.time())
# The mail a console create queues (KeyCreatedMail): about the size of the server's.
text, html = "x" * 500, "<p>" + "x" * 1000 + "</p>"
out = [".bail on", ".timeout 5000", "PRAGMA journal_mode = WAL;", "PRAGMA synchronous = NORMAL;",
       "PRAGMA foreign_keys = ON;"]
for i in range(n):
    digest, hint = secrets.token_hex(32), "tfzo_..." + "".join(secrets.choice(B62) for _ in range(4))
    event = new_id("evt")
    if op == "create":
        key = new_id("key")
        out += ["BEGIN IMMEDIATE;",
                # The quota check (--max-active-keys, on by default) and the service-account
                # check of SqlStore::CreateKey.
                f"SELECT id AS id FROM accounts WHERE id = '{account}' AND deleted_at IS NULL;",
                f"SELECT COUNT(*) AS n FROM api_keys WHERE account_id = '{account}' "
                f"AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > {now});",
                f"SELECT deleted_at AS deleted_at FROM service_accounts WHERE id = '{account}';",
                "INSERT INTO api_keys (id, account_id, name, description, hint, org_id, created_at, "
                "expires_at, rotated_at, revoked_at) VALUES "
                f"('{key}', '{account}', 'bench', '', '{hint}', NULL, {now}, NULL, NULL, NULL);",
                f"INSERT INTO key_uses (key_id, last_used_at) VALUES ('{key}', NULL);",
                "INSERT INTO key_secrets (digest, key_id, hint, created_at, revoked_at) VALUES "
                f"('{digest}', '{key}', '{hint}', {now}, NULL);",
                "INSERT INTO audit_events (id, at, action, actor_id, org_id, target_id, ip) VALUES "
                f"('{event}', {now}, 'key.created', '{account}', NULL, '{key}', '127.0.0.1');",
                "INSERT INTO mail_outbox (recipient, subject, text, html, created_at, attempts, "
                f"next_attempt_at) VALUES ('bench@example.com', 'A new API key', '{text}', "
                f"'{html}', {now}, 0, {now});",
                "COMMIT;"]
    else:
        key = ids[i % len(ids)]
        out += ["BEGIN IMMEDIATE;",
                f"SELECT revoked_at AS revoked_at FROM api_keys WHERE id = '{key}';",
                f"UPDATE key_secrets SET revoked_at = {now} WHERE key_id = '{key}' "
                f"AND revoked_at > {now};",
                f"UPDATE key_secrets SET revoked_at = {now} WHERE key_id = '{key}' "
                "AND revoked_at IS NULL;",
                "INSERT INTO key_secrets (digest, key_id, hint, created_at, revoked_at) VALUES "
                f"('{digest}', '{key}', '{hint}', {now}, NULL);",
                f"UPDATE api_keys SET hint = '{hint}', rotated_at = {now} WHERE id = '{key}';",
                "INSERT INTO audit_events (id, at, action, actor_id, org_id, target_id, ip) VALUES "
                f"('{event}', {now}, 'key.rotated', '{account}', NULL, '{key}', '127.0.0.1');",
                # The change log (SqlStore::AppendChange).
                "UPDATE change_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq AS seq;",
                "INSERT INTO changes (seq, kind, key_id, org_id, account_id, at) VALUES "
                f"((SELECT seq FROM change_counter WHERE id = 1), 'key', '{key}', NULL, NULL, {now});",
                "DELETE FROM changes WHERE seq <= (SELECT seq FROM change_counter WHERE id = 1) "
                "- 100000;",
                "COMMIT;"]
print("\n".join(out))
PY
}

# sqlite_direct NAME DB SCRIPT N: runs the script with the sqlite3 shell on the server's core;
# NAME.fig gets transactions/s, the mean ms per transaction, 0 (no p99: one connection, no
# per-transaction clock), errors.
sqlite_direct() {
  local name=$1 db=$2 script=$3 n=$4 t0 t1 bad=0
  t0=$EPOCHREALTIME
  on_server_cpu sqlite3 "$db" <"$script" >/dev/null 2>"$tmp/$name.err" || bad=1
  t1=$EPOCHREALTIME
  awk -v n="$n" -v t0="$t0" -v t1="$t1" -v bad="$bad" \
    'BEGIN { s = t1 - t0; printf "%.0f %.3f 0 %d\n", n / s, s * 1000 / n, bad }' >"$tmp/$name.fig"
  [[ $bad == 0 ]] || echo "load.sh: sqlite3: $(head -c 300 "$tmp/$name.err")" >&2
}

# The same statements for pgbench, values as pgbench variables (numbers: pgbench makes no
# strings); :k picks one of the connection's own keys, as the server's rotate run does.
cat >"$tmp/pg_create.sql" <<'SQL'
\set r random(1000000000000000000, 9000000000000000000)
BEGIN;
SELECT id AS id FROM accounts WHERE id = :account AND deleted_at IS NULL FOR UPDATE;
SELECT COUNT(*) AS n FROM api_keys WHERE account_id = :account AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > :now);
SELECT deleted_at AS deleted_at FROM service_accounts WHERE id = :account FOR SHARE;
INSERT INTO api_keys (id, account_id, name, description, hint, org_id, created_at, expires_at, rotated_at, revoked_at) VALUES (:r, :account, 'bench', '', 'tfzo_...abcd', NULL, :now, NULL, NULL, NULL);
INSERT INTO key_uses (key_id, last_used_at) VALUES (:r, NULL);
INSERT INTO key_secrets (digest, key_id, hint, created_at, revoked_at) VALUES (:r, :r, 'tfzo_...abcd', :now, NULL);
INSERT INTO audit_events (id, at, action, actor_id, org_id, target_id, ip) VALUES (:r, :now, 'key.created', :account, NULL, :r, '127.0.0.1');
INSERT INTO mail_outbox (recipient, subject, text, html, created_at, attempts, next_attempt_at) VALUES ('bench@example.com', 'A new API key', repeat('x', 500), '<p>' || repeat('x', 1000) || '</p>', :now, 0, :now);
COMMIT;
SQL
cat >"$tmp/pg_rotate.sql" <<'SQL'
\set r random(1000000000000000000, 9000000000000000000)
\set k :client_id * :per + random(1, :per)
BEGIN;
SELECT revoked_at AS revoked_at FROM api_keys WHERE id = :k FOR UPDATE;
UPDATE key_secrets SET revoked_at = :now WHERE key_id = :k AND revoked_at > :now;
UPDATE key_secrets SET revoked_at = :now WHERE key_id = :k AND revoked_at IS NULL;
INSERT INTO key_secrets (digest, key_id, hint, created_at, revoked_at) VALUES (:r, :k, 'tfzo_...abcd', :now, NULL);
UPDATE api_keys SET hint = 'tfzo_...abcd', rotated_at = :now WHERE id = :k;
INSERT INTO audit_events (id, at, action, actor_id, org_id, target_id, ip) VALUES (:r, :now, 'key.rotated', :account, NULL, :k, '127.0.0.1');
UPDATE change_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq AS seq \gset
INSERT INTO changes (seq, kind, key_id, org_id, account_id, at) VALUES (:seq, 'key', :k, NULL, NULL, :now);
DELETE FROM changes WHERE seq <= :seq - 100000;
SELECT pg_notify('tfzo_changes', :seq::text || ' k:' || :k::text);
COMMIT;
SQL

# pg_direct NAME URL SCRIPT ACCOUNT: pgbench -c WRITE_CONNECTIONS for the run's duration;
# NAME.fig gets transactions/s, p50 and p99 ms of its per-transaction log, failures.
pg_direct() {
  local name=$1 url=$2 script=$3 account=$4
  mkdir -p "$tmp/$name.log"
  on_client_cpus "$pgbench" -n -M "$PGBENCH_MODE" -c "$WRITE_CONNECTIONS" -j 1 -T "$write_secs" \
    -f "$script" -D account="$account" -D now="$(date +%s)" -D per="$per" \
    --log --log-prefix="$tmp/$name.log/tx" "$url" >"$tmp/$name.out" 2>&1 || true
  local tps
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$tmp/$name.out" | tail -1)
  if [[ -z $tps ]]; then
    echo "load.sh: pgbench: $(tail -c 300 "$tmp/$name.out")" >&2
    echo "0 0 0 1" >"$tmp/$name.fig"
    return
  fi
  cat "$tmp/$name.log"/tx* | awk '{print $3}' | sort -n | awk -v tps="$tps" '
    { v[NR] = $1 }
    function q(p,  r) { r = int(p * NR + 0.999999); if (r < 1) r = 1; return v[r] / 1000 }
    END { printf "%.0f %.3f %.3f 0\n", tps, q(0.50), q(0.99) }' >"$tmp/$name.fig"
}

# The SQLite store: a server on a fresh file, keys to rotate for it and for the sqlite3 shell.
start_server wsq "$tmp/writes.db"
wsq_base="http://127.0.0.1:$wsq_port"
sign_up "$wsq_base" wsq
for _ in $(seq $((2 * nrot))); do new_key "$wsq_base" wsq >/dev/null; done
sqlite3 "$tmp/writes.db" 'SELECT id FROM api_keys ORDER BY seq' >"$tmp/wsq.all.ids"
head -n "$nrot" "$tmp/wsq.all.ids" >"$tmp/wsq.ids"
tail -n "$nrot" "$tmp/wsq.all.ids" >"$tmp/wsq.direct.ids"
wsq_sql() { sqlite3 -cmd ".timeout 10000" "$tmp/writes.db" "$1"; }
wsq_seq=$(wsq_sql 'SELECT MAX(seq) FROM api_keys')

# settle SQL_FUNCTION LAST_SEQ: run before each write run, so that it does not pay for the
# runs before it. The mails the creates queued (one each) are sent first: the server's mail
# thread writes through the same database. Then the keys the creates made are revoked, directly
# in the database, so the quota check's COUNT (SqlStore::CreateKey, on by default) counts the
# few keys of the rotate runs, as for a real account (at most --max-active-keys, 1000 by
# default), not the tens of thousands the runs before made.
settle() {
  local sql=$1 seq=$2
  for _ in $(seq 600); do
    [[ $($sql 'SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL') == 0 ]] &&
      break
    sleep 0.2
  done
  $sql "UPDATE api_keys SET revoked_at = $(date +%s) WHERE seq > $seq AND revoked_at IS NULL" \
    >/dev/null
}

# The PostgreSQL store: a throwaway cluster, a database for a second server.
pg_ok=0
if [[ $PG == 1 ]]; then
  # The newest server's own pgbench (Debian: /usr/lib/postgresql/<major>/bin), else the PATH's.
  pgbench=$(printf '%s\n' /usr/lib/postgresql/*/bin/pgbench | sort -V -r | head -1)
  [[ -x $pgbench ]] || pgbench=$(command -v pgbench || true)
  pg_dir="$tmp/pg"  # cleanup destroys the cluster, whatever happens below
  if [[ -z $pgbench ]]; then
    echo "load.sh: no pgbench: section 7 runs on SQLite only (apt-get install postgresql)" >&2
  elif ! pg_url=$("$root/scripts/pg-test-cluster" start "$pg_dir" 2>"$tmp/pg.err"); then
    echo "load.sh: the PostgreSQL cluster did not start: section 7 runs on SQLite only:" \
      "$(head -c 300 "$tmp/pg.err")" >&2
  else
    psql -q "$pg_url" -c 'CREATE DATABASE bench' >/dev/null
    wpg_url="${pg_url%/*}/bench"
    start_server wpg "$wpg_url"
    wpg_base="http://127.0.0.1:$wpg_port"
    sign_up "$wpg_base" wpg
    for _ in $(seq "$nrot"); do new_key "$wpg_base" wpg >/dev/null; done
    psql -qAt "$wpg_url" -c 'SELECT id FROM api_keys ORDER BY seq' >"$tmp/wpg.ids"
    wpg_sql() { psql -qAt "$wpg_url" -c "$1"; }
    # pgbench's own keys to rotate: ids 1..nrot (pgbench variables are numbers).
    psql -q "$wpg_url" -v ON_ERROR_STOP=1 -v account="$wpg_account" -v n="$nrot" >/dev/null <<'SQL'
INSERT INTO api_keys (id, account_id, name, description, hint, created_at)
  SELECT g::text, :'account', 'bench', '', 'tfzo_...abcd', 0 FROM generate_series(1, :n) g;
INSERT INTO key_secrets (digest, key_id, hint, created_at)
  SELECT md5(g::text) || md5(g::text), g::text, 'tfzo_...abcd', 0 FROM generate_series(1, :n) g;
SQL
    wpg_seq=$(wpg_sql 'SELECT MAX(seq) FROM api_keys')
    pg_ok=1
  fi
fi

echo
echo "-- 7. writes: POST /api/keys (create) and POST /api/keys/{id}/rotate through the server" \
  "(closed_loop -c$WRITE_CONNECTIONS, console session) vs the same statements run directly"
echo "   direct: sqlite3 shell on the server's SQLite file (one connection; mean ms per" \
  "transaction); pgbench -M $PGBENCH_MODE -c$WRITE_CONNECTIONS on the same PostgreSQL" \
  "(scripts/pg-test-cluster: fsync off)"
printf '%-6s %-10s %-6s %9s %8s %8s | %9s %8s %8s %6s %6s\n' round database write "server/s" \
  "p50 ms" "p99 ms" "direct/s" "p50 ms" "p99 ms" ratio errors
write_row() {  # write_row ROUND DATABASE WRITE SERVER_FIG DIRECT_FIG
  local srps sp50 sp99 sbad drps dp50 dp99 dbad
  read -r srps sp50 sp99 sbad <"$tmp/$4.fig"
  read -r drps dp50 dp99 dbad <"$tmp/$5.fig"
  [[ $2 == sqlite ]] && dp50="~$dp50" dp99="-"
  printf '%-6s %-10s %-6s %9.0f %8.3f %8.3f | %9.0f %8s %8s %6s %6s\n' "$1" "$2" "$3" "$srps" \
    "$sp50" "$sp99" "$drps" "$dp50" "$dp99" "$(ratio "$srps" "$drps")" "$sbad/$dbad"
}
for r in $(seq "$ROUNDS"); do
  settle wsq_sql "$wsq_seq"
  server_writes "sq_create_s$r" "$wsq_base" wsq create >/dev/null
  n=$(awk -v s="$write_secs" '{ n = int($1 * s); print (n < 200 ? 200 : n) }' "$tmp/sq_create_s$r.fig")
  sqlite_script create "$n" "$wsq_account" >"$tmp/sq_create.sql"
  settle wsq_sql "$wsq_seq"
  sqlite_direct "sq_create_d$r" "$tmp/writes.db" "$tmp/sq_create.sql" "$n"
  write_row "$r" sqlite create "sq_create_s$r" "sq_create_d$r"
  settle wsq_sql "$wsq_seq"
  server_writes "sq_rotate_s$r" "$wsq_base" wsq rotate "$tmp/wsq.ids" >/dev/null
  n=$(awk -v s="$write_secs" '{ n = int($1 * s); print (n < 200 ? 200 : n) }' "$tmp/sq_rotate_s$r.fig")
  sqlite_script rotate "$n" "$wsq_account" "$tmp/wsq.direct.ids" >"$tmp/sq_rotate.sql"
  sqlite_direct "sq_rotate_d$r" "$tmp/writes.db" "$tmp/sq_rotate.sql" "$n"
  write_row "$r" sqlite rotate "sq_rotate_s$r" "sq_rotate_d$r"
  # One rotation at a time: what a request waits beyond its own work (a checkpoint, say), without
  # the queue for SQLite's one writer that -c$WRITE_CONNECTIONS adds (at -c8 a request waits for
  # the seven before it: p50 = 8 / throughput, by Little's law).
  settle wsq_sql "$wsq_seq"
  connections=1 server_writes "sq_rotate1_s$r" "$wsq_base" wsq rotate "$tmp/wsq.ids" >/dev/null
  read -r srps sp50 sp99 sbad <"$tmp/sq_rotate1_s$r.fig"
  printf '%-6s %-10s %-6s %9.0f %8.3f %8.3f | %s\n' "$r" sqlite "rot -c1" "$srps" "$sp50" \
    "$sp99" "(one at a time)"
  if [[ $pg_ok == 1 ]]; then
    settle wpg_sql "$wpg_seq"
    server_writes "pg_create_s$r" "$wpg_base" wpg create >/dev/null
    settle wpg_sql "$wpg_seq"
    pg_direct "pg_create_d$r" "$wpg_url" "$tmp/pg_create.sql" "$wpg_account"
    write_row "$r" postgresql create "pg_create_s$r" "pg_create_d$r"
    settle wpg_sql "$wpg_seq"
    server_writes "pg_rotate_s$r" "$wpg_base" wpg rotate "$tmp/wpg.ids" >/dev/null
    pg_direct "pg_rotate_d$r" "$wpg_url" "$tmp/pg_rotate.sql" "$wpg_account"
    write_row "$r" postgresql rotate "pg_rotate_s$r" "pg_rotate_d$r"
  fi
done
stop_server "$wsq_pid"
if [[ $pg_ok == 1 ]]; then
  stop_server "$wpg_pid"
  "$root/scripts/pg-test-cluster" destroy "$pg_dir" >/dev/null
  pg_dir=""
fi
fi

# --- 8. access log on vs off ---------------------------------------------------------------

if want 8; then
: >"$tmp/access.log"
ACCESS_LOG=1 SERVER_LOG="$tmp/access.log" start_server logged "$few_db"
start_server quiet "$few_db"
logged_base="http://127.0.0.1:$logged_port"
quiet_base="http://127.0.0.1:$quiet_port"
curl -sS -f -o /dev/null -H "$auth" "$logged_base/api/v1/me"
curl -sS -f -o /dev/null -H "$auth" "$quiet_base/api/v1/me"
echo
echo "-- 8. GET /api/v1/me, one key: the default access log (to a file in the temp dir) vs" \
  "--no-access-log (alternated)"
printf '%-6s %12s %12s %8s %9s %9s %10s\n' round "off req/s" "on req/s" "cost %" "off p99" \
  "on p99" "log B/req"
for r in $(seq "$ROUNDS"); do
  read -r off _ offp99 _ < <(run_wrk "logoff$r" "$quiet_base/api/v1/me" -H "$auth")
  : >"$tmp/access.log"
  read -r on _ onp99 _ < <(run_wrk "logon$r" "$logged_base/api/v1/me" -H "$auth")
  sleep 0.5  # a log written off the request thread catches up
  bytes=$(stat -c %s "$tmp/access.log")
  : >"$tmp/access.log"  # a truncated file: a log opened for appending carries on at its start
  printf '%-6s %12.0f %12.0f %8s %9.3f %9.3f %10s\n' "$r" "$off" "$on" \
    "$(awk -v a="$on" -v b="$off" 'BEGIN { if (b > 0) printf "%.1f", (1 - a / b) * 100; else print "n/a" }')" \
    "$offp99" "$onp99" "$(awk -v b="$bytes" -v n="$on" -v s="${run_duration%s}" \
      'BEGIN { if (n > 0) printf "%.0f", b / (n * s); else print "n/a" }')"
done
stop_server "$logged_pid"
stop_server "$quiet_pid"
fi

# --- 9. the key check (nginx auth_request's question) vs /api/v1/me ------------------------

if want 9; then
run_duration=$SHORT_DURATION
start_server check "$few_db"
check_base="http://127.0.0.1:$check_port"
check_status=$(curl -sS -o /dev/null -w '%{http_code}' -H "$auth" "$check_base/api/v1/keys/check")
[[ $check_status == 204 ]] || { echo "load.sh: the key check answered $check_status" >&2; exit 1; }
curl -sS -f -o /dev/null -H "$auth" "$check_base/api/v1/me"
echo
echo "-- 9. GET /api/v1/keys/check, one key (204, no body) vs GET /api/v1/me, same key and server," \
  "vs nginx return 204 (memory)${server_cpu:+, all on cpu $server_cpu} (alternated)"
printf '%-6s %11s %11s %11s %9s %9s %8s %8s %8s %7s\n' round "check req/s" "me req/s" \
  "nginx req/s" "check/me" "chk/ngx" "chk p50" "chk p99" "me p99" errors
for r in $(seq "$ROUNDS"); do
  read -r chk cp50 cp99 cbad < <(run_wrk "check$r" "$check_base/api/v1/keys/check" -H "$auth")
  read -r me _ mp99 mbad < <(run_wrk "checkme$r" "$check_base/api/v1/me" -H "$auth")
  read -r ngx _ _ nbad < <(run_wrk "checknginx$r" "$memory_base/api/v1/keys/check")
  printf '%-6s %11.0f %11.0f %11.0f %9s %9s %8.3f %8.3f %8.3f %7s\n' "$r" "$chk" "$me" "$ngx" \
    "$(ratio "$chk" "$me")" "$(ratio "$chk" "$ngx")" "$cp50" "$cp99" "$mp99" "$cbad/$mbad/$nbad"
done
stop_server "$check_pid"
fi

# --- 10. simulated cache misses per request (callgrind) ------------------------------------

if want 10; then
miss_n=$MISS_KEYS
((miss_n > MANY)) && miss_n=$MANY
head -n "$miss_n" "$tmp/all.txt" >"$tmp/miss_many.txt"
awk -v n="$miss_n" '{ for (i = 0; i < n; i++) print }' "$tmp/single.txt" >"$tmp/miss_one.txt"
server_wrap=(valgrind --tool=callgrind --cache-sim=yes --D1=32768,8,64 --LL=1048576,8,64
  --separate-threads=yes --callgrind-out-file="$tmp/cg.%p")
start_tries=1200
start_server misses "$tmp/many.db"
server_wrap=()
start_tries=100
misses_base="http://127.0.0.1:$misses_port"
# Each load once through, 8 connections: exactly miss_n requests.
walk() {
  on_client_cpus "$CLIENT" --url "$misses_base" -c 8 -d 3600 --once --items "$1" \
    --target /api/v1/me --header 'Authorization: Bearer {}'
}
walk "$tmp/miss_many.txt" >/dev/null  # warm-up: every key cached, its answer kept
walk "$tmp/miss_one.txt" >/dev/null
for r in 1 2; do
  for l in one many; do
    callgrind_control -z "$misses_pid" >/dev/null 2>&1
    read -r _ _ _ bad < <(walk "$tmp/miss_$l.txt")
    [[ $bad == 0 ]] || { echo "load.sh: section 10: $bad requests failed" >&2; exit 1; }
    sleep "$MISS_SETTLE"  # the usage flush of this window's uses (every 2 s) lands in it
    callgrind_control -d "$l$r" "$misses_pid" >/dev/null 2>&1
  done
done
stop_server "$misses_pid"
echo
echo "-- 10. GET /api/v1/me under callgrind (simulated L1 32 KiB, last level 1 MiB), per request:" \
  "$miss_n distinct keys once each vs one key $miss_n times, $MANY keys in the store"
# A dump per thread and per window ("part"); thread 1 runs the I/O loop (--threads 1).
python3 - "$tmp" "$miss_n" <<'PY' | tee "$tmp/misses.txt"
import glob, re, sys
tmp, n = sys.argv[1], int(sys.argv[2])
sums = {}
for path in glob.glob(f"{tmp}/cg.*"):
    head = {}
    for line in open(path, errors="replace"):
        if line.startswith(("events:", "summary:", "desc: Trigger:", "thread:")):
            key, _, value = line.partition(":")
            head[key] = value.split()
            if key == "summary":
                break
    trigger = head.get("desc", [])
    if "events" not in head or "summary" not in head or not trigger:
        continue
    window = trigger[-1]  # "dump one1": the window's name
    if not re.fullmatch(r"(one|many)[12]", window):
        continue
    # An idle thread's summary is a single 0.
    cost = dict(zip(head["events"], map(int, head["summary"])))
    cost = {e: cost.get(e, 0) for e in ("Ir", "D1mr", "D1mw", "DLmr", "DLmw")}
    io = head["thread"][0] == "1"
    row = sums.setdefault((window, io), dict.fromkeys(("Ir", "D1", "LL"), 0))
    row["Ir"] += cost["Ir"]
    row["D1"] += cost["D1mr"] + cost["D1mw"]
    row["LL"] += cost["DLmr"] + cost["DLmw"]
print(f"{'window':<8} {'I/O: instr':>11} {'L1 miss':>8} {'LL miss':>8} | "
      f"{'others: instr':>13} {'L1 miss':>8} {'LL miss':>8}")
for window in ("one1", "many1", "one2", "many2"):
    io = sums.get((window, True), dict.fromkeys(("Ir", "D1", "LL"), 0))
    other = sums.get((window, False), dict.fromkeys(("Ir", "D1", "LL"), 0))
    print(f"{window:<8} {io['Ir'] / n:11.0f} {io['D1'] / n:8.1f} {io['LL'] / n:8.1f} | "
          f"{other['Ir'] / n:13.0f} {other['D1'] / n:8.1f} {other['LL'] / n:8.1f}")
PY
fi

# --- summary -------------------------------------------------------------------------------

echo
echo "== summary (req/s: means of $ROUNDS rounds; latency: the median round, and the worst)"
if want 1; then
  ours=$(col ours 1); theirs=$(col nginx 1); memory=$(col memory 1)
  printf '%-52s %s\n' \
    "GET /api/v1/me, one key, 2501-accounts, req/s" "$ours" \
    "same path, nginx static file, req/s" "$theirs" \
    "same path, nginx return 200 (memory), req/s" "$memory" \
    "ratio ours/nginx static file (target >= 0.8)" "$(ratio "$ours" "$theirs")" \
    "ratio ours/nginx return 200 (memory)" "$(ratio "$ours" "$memory")" \
    "our p50 latency, ms" "$(median_of ours 2)" \
    "our p99 latency, ms (target < 2)" "$(median_of ours 3) (worst round $(worst_of ours 3))" \
    "nginx p99 latency, ms, static / memory" "$(median_of nginx 3) / $(median_of memory 3)"
fi
if want 2; then
  few=$(col few 1); many=$(col many 1)
  printf '%-52s %s\n' \
    "req/s with $FEW keys in the store" "$few" \
    "req/s with $MANY keys in the store" "$many" \
    "ratio 1M/1K, one key repeated (target >= 0.9)" "$(ratio "$many" "$few")"
fi
if want 3; then
  printf '%-52s %s\n' "VmRSS with $MANY keys cached, MiB (target <= 512)" \
    "$(awk -v b="$rss1" 'BEGIN {printf "%.1f", b / 1024}')"
fi
if want 4; then
  printf '%-52s %s\n' \
    "password hashing pool" "${hashing:-n/a}" \
    "key check p50 ms, idle / under a login flood" \
    "$(median_of idle 2) / $(median_of flooded 2)" \
    "key check p99 ms, idle / under a login flood" \
    "$(median_of idle 3) / $(median_of flooded 3) (worst rounds $(worst_of idle 3) / $(worst_of flooded 3))" \
    "ratio p99 flood/idle (target <= 2)" "$(ratio "$(median_of flooded 3)" "$(median_of idle 3)")" \
    "key check p99 ms, cheap flood of the same rate" \
    "$(median_of cheap 3) (baseline: the second load generator, no hashing)" \
    "ratio p99 login flood/cheap flood" "$(ratio "$(median_of flooded 3)" "$(median_of cheap 3)")" \
    "key check p99 ms beside a SCHED_IDLE busy loop" \
    "$(median_of hog 3) (baseline: any CPU-bound work on these cores)" \
    "ratio p99 SCHED_IDLE busy loop/idle" "$(ratio "$(median_of hog 3)" "$(median_of idle 3)")"
fi
if want 5; then
  echo "distinct keys (goal: >= 0.9x single-key throughput, p99 within 2x); wrk / closed loop:"
  for d in "${sizes[@]}"; do
    printf '%-52s %s\n' "  $d keys / 1 key: throughput" \
      "$(ratio "$(col "w_k${d}_" 1)" "$(col w_k1_ 1)")x / $(ratio "$(col "c_k${d}_" 1)" "$(col c_k1_ 1)")x" \
      "  $d keys / 1 key: p99" \
      "$(ratio "$(median_of "w_k${d}_" 3)" "$(median_of w_k1_ 3)")x / $(ratio "$(median_of "c_k${d}_" 3)" "$(median_of c_k1_ 3)")x ($(median_of "w_k${d}_" 3) / $(median_of "c_k${d}_" 3) ms)" \
      "  $d keys - 1 key: CPU µs a request (wrk)" \
      "$(awk -v a="$(col_f "cpu_k${d}_" 1) $(col_f "cpu_k${d}_" 2) $(col_f "cpu_k${d}_" 3)" \
        -v b="$(col_f cpu_k1_ 1) $(col_f cpu_k1_ 2) $(col_f cpu_k1_ 3)" 'BEGIN { split(a, x); split(b, y)
          printf "I/O %+.2f, flush+ckpt %+.2f, other %+.2f", x[1] - y[1], x[2] - y[2], x[3] - y[3] }')"
  done
  printf '%-52s %s\n' \
    "  1 key: req/s; p99 ms" "$(col w_k1_ 1) / $(col c_k1_ 1); $(median_of w_k1_ 3) / $(median_of c_k1_ 3)" \
    "  1 key / nginx return 200 (memory): throughput" \
    "$(ratio "$(col w_k1_ 1)" "$(col w_nginx_ 1)")x / $(ratio "$(col c_k1_ 1)" "$(col c_nginx_ 1)")x" \
    "  store reads for cached keys during the runs" "$misses (should be 0)"
fi
if want 6; then
  printf '%-52s %s\n' \
    "POST /api/v1/keys/verify, req/s; nginx return 200" "$(col verify 1); $(col vnginx 1)" \
    "verify / nginx return 200, same core (goal >= 0.9)" "$(ratio "$(col verify 1)" "$(col vnginx 1)")" \
    "verify p50 / p99 ms (nginx)" "$(median_of verify 2) / $(median_of verify 3) ($(median_of vnginx 2) / $(median_of vnginx 3))"
fi
if want 7; then
  echo "writes through the server / the same SQL run directly (goal >= 0.8x):"
  dbs=(sq)
  [[ $pg_ok == 1 ]] && dbs+=(pg)
  for db in "${dbs[@]}"; do
    for op in create rotate; do
      printf '%-52s %s\n' "  $([[ $db == sq ]] && echo SQLite || echo PostgreSQL) $op, req/s vs direct tx/s" \
        "$(col "${db}_${op}_s" 1) vs $(col "${db}_${op}_d" 1) = $(ratio "$(col "${db}_${op}_s" 1)" "$(col "${db}_${op}_d" 1)")x; p50 / p99 $(median_of "${db}_${op}_s" 2) / $(median_of "${db}_${op}_s" 3) ms"
    done
  done
  printf '%-52s %s\n' "rotate p99 on SQLite, ms (goal < 5), one at a time" \
    "$(median_of sq_rotate1_s 3) (worst round $(worst_of sq_rotate1_s 3)); $(col sq_rotate1_s 1) req/s" \
    "rotate p99 on SQLite, ms, -c$WRITE_CONNECTIONS" \
    "$(median_of sq_rotate_s 3) (worst round $(worst_of sq_rotate_s 3)): mostly the writer's queue"
fi
if want 8; then
  off=$(col logoff 1); on=$(col logon 1)
  printf '%-52s %s\n' \
    "GET /api/v1/me req/s, access log off / on (file)" "$off / $on" \
    "access log cost, % of throughput (goal <= 3)" \
    "$(awk -v a="$on" -v b="$off" 'BEGIN { if (b > 0) printf "%.1f", (1 - a / b) * 100; else print "n/a" }')" \
    "p99 ms, access log off / on" "$(median_of logoff 3) / $(median_of logon 3)"
fi
if want 9; then
  printf '%-52s %s\n' \
    "GET /api/v1/keys/check, req/s; /api/v1/me; nginx 204" \
    "$(col check 1); $(col checkme 1); $(col checknginx 1)" \
    "check / me, same server (goal >= 1)" "$(ratio "$(col check 1)" "$(col checkme 1)")" \
    "check / nginx return 204, same core" "$(ratio "$(col check 1)" "$(col checknginx 1)")" \
    "check p50 / p99 ms (me p99)" \
    "$(median_of check 2) / $(median_of check 3) ($(median_of checkme 3))"
fi
if want 10; then
  echo "where the distinct-key gap goes (section 10: callgrind, per request; LL = a 1 MiB last level):"
  sed 's/^/  /' "$tmp/misses.txt"
fi
