#!/usr/bin/env bash
# Load benchmark of the hot path (issue 5), run by `make bench`. Loopback only; every step is
# bounded in time; stops by itself and cleans up what it started.
#
#  1. 2501-accounts (--threads 1, a temp SQLite db, 1 thousand keys in the store) against
#     nginx (one worker) serving a static copy of the same /api/v1/me answer from the same
#     path: wrk -t1 -c32 --latency, alternated ROUNDS times. Requests/s of both, their ratio,
#     our p50/p99.
#  2. The same load on a copy of the store with 1 million keys, alternated with the 1 thousand
#     one: throughput ratio 1M/1K.
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
#     the login flood; and with a busy loop at niceness 19 instead, what any CPU-bound work on
#     the same cores costs it.
#
# SECTIONS (default "1 2 3 4") picks which run, e.g. SECTIONS=4 for the flood alone.
# Figures only: nothing here passes or fails on time. All keys are generated at run time in
# the temp dir and deleted with it. Needs wrk, nginx (nginx-light), curl, jq, python3, sqlite3.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$root/build}
SERVER=${SERVER:-$BUILD/bin/2501-accounts}
DURATION=${DURATION:-10s}  # of one wrk run
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-3}
MANY=${MANY:-1000000}       # keys in the big store
FEW=${FEW:-1000}            # keys in the small store
SERVER_LOG=${SERVER_LOG:-/dev/null}  # the server's stderr: one access line per request
SECTIONS=${SECTIONS:-1 2 3 4}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-12}
FLOOD_PAUSE_MS=${FLOOD_PAUSE_MS:-50}
FLOOD_SERVER_FLAGS=${FLOOD_SERVER_FLAGS---signin-address-limit 1000000}

want() { [[ " $SECTIONS " == *" $1 "* ]]; }

for tool in wrk nginx curl jq python3 sqlite3; do
  command -v "$tool" >/dev/null || {
    echo "load.sh: $tool is missing (BOOTSTRAP_BENCH=1 scripts/bootstrap installs it)" >&2
    exit 1
  }
done
[[ -x $SERVER ]] || { echo "load.sh: $SERVER not built (make build)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/tfzo-bench.XXXXXX)
chmod 755 "$tmp"  # nginx's worker may run as another user and reads www/ below
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- helpers -------------------------------------------------------------------------------

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_server NAME DB [flags...]: starts 2501-accounts on DB; sets <NAME>_pid and <NAME>_port.
start_server() {
  local name=$1 db=$2 out="$tmp/$1.out"
  shift 2
  # No access log, like nginx below (access_log off): both answer without writing a line.
  "$SERVER" serve --listen 127.0.0.1:0 --db "sqlite:$db" --threads 1 --no-access-log "$@" \
    >"$out" 2>>"$SERVER_LOG" &
  local pid=$!
  pids+=("$pid")
  local port=""
  for _ in $(seq 100); do
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
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# run_wrk NAME URL [wrk args...]: runs wrk; prints requests/s, p50 ms, p99 ms, errors to
# $tmp/NAME.fig and keeps the raw output in $tmp/NAME.wrk.
run_wrk() {
  local name=$1 url=$2
  shift 2
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$tmp/$name.wrk" 2>&1 || true
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
    END { printf "%s %.3f %.3f %d\n", rps, p50, p99, bad }
  ' "$tmp/$name.wrk" >"$tmp/$name.fig"
  cat "$tmp/$name.fig"
}

mean() { awk '{ s += $1 } END { if (NR) printf "%.0f", s / NR; else print 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# --- the account, the key and the answer nginx will copy -----------------------------------

echo "== 2501 Accounts load benchmark: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores," \
  "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "   wrk -t1 -c$CONNECTIONS -d$DURATION --latency; server --threads 1; nginx worker_processes 1"
echo "   load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

few_db="$tmp/few.db"
start_server setup "$few_db"
base="http://127.0.0.1:$setup_port"
signup=$(curl -sS -c "$tmp/cookies" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-1","name":"Bench"}' \
  "$base/api/signup")
csrf=$(jq -r .csrf_token <<<"$signup")
account_id=$(jq -r .account.id <<<"$signup")
key=$(curl -sS -b "$tmp/cookies" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
  -d '{"name":"bench"}' "$base/api/keys" | jq -r .secret)
[[ $key == tfzo_* ]] || { echo "load.sh: could not create a key" >&2; exit 1; }
auth="Authorization: Bearer $key"
mkdir -p "$tmp/www/api/v1"
curl -sS -f -H "$auth" "$base/api/v1/me" >"$tmp/www/api/v1/me"
chmod -R a+rX "$tmp/www"
body_bytes=$(wc -c <"$tmp/www/api/v1/me")
stop_server "$setup_pid"

# --- 1M generated keys (real ones: known values, valid checksums), the two stores ----------

if want 1 || want 2 || want 3; then
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
fi

# --- nginx ---------------------------------------------------------------------------------

if want 1; then
nginx_port=$(free_port)
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
  server {
    listen 127.0.0.1:$nginx_port;
    root $tmp/www;
    location = /api/v1/me { default_type application/json; }
  }
}
EOF
nginx -e "$tmp/nginx/error.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
pids+=($!)
nginx_base="http://127.0.0.1:$nginx_port"
for _ in $(seq 50); do curl -sf -o /dev/null "$nginx_base/api/v1/me" && break; sleep 0.1; done
nginx_bytes=$(curl -sS -f "$nginx_base/api/v1/me" | wc -c)
fi

# --- 1. ours vs nginx, 1 thousand keys in the store ----------------------------------------

if want 1 || want 2; then
start_server few "$few_db"
few_base="http://127.0.0.1:$few_port"
curl -sS -f -o /dev/null -H "$auth" "$few_base/api/v1/me"  # the key is cached from here on
fi

if want 1; then
echo
echo "-- 1. GET /api/v1/me: 2501-accounts ($FEW keys in the store) vs nginx static" \
  "($body_bytes vs $nginx_bytes bytes of body)"
echo "   (latency in ms; nginx's beside ours, as the floor this machine sets)"
printf '%-6s %12s %12s %6s %8s %8s %10s %10s %7s\n' round "ours req/s" "nginx req/s" ratio \
  "our p50" "our p99" "nginx p50" "nginx p99" errors
for r in $(seq "$ROUNDS"); do
  read -r ours p50 p99 bad < <(run_wrk "ours$r" "$few_base/api/v1/me" -H "$auth")
  read -r theirs np50 np99 nbad < <(run_wrk "nginx$r" "$nginx_base/api/v1/me")
  printf '%-6s %12.0f %12.0f %6s %8.3f %8.3f %10.3f %10.3f %7s\n' "$r" "$ours" "$theirs" \
    "$(ratio "$ours" "$theirs")" "$p50" "$p99" "$np50" "$np99" "$bad/$nbad"
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
TFZO_KEYS="$tmp/keys.txt" TFZO_DONE="$tmp/fill.done" wrk -t1 -c"$CONNECTIONS" -d300s \
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

# Its log (no access lines) says how the hashing pool was sized.
# FLOOD_SERVER_FLAGS="" runs a server from before these flags existed.
# shellcheck disable=SC2086
SERVER_LOG="$tmp/flood.log" start_server flood "$tmp/flood.db" $FLOOD_SERVER_FLAGS
flood_base="http://127.0.0.1:$flood_port"
signup=$(curl -sS -c "$tmp/flood-cookies" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-1","name":"Bench"}' \
  "$flood_base/api/signup")
csrf=$(jq -r .csrf_token <<<"$signup")
flood_key=$(curl -sS -b "$tmp/flood-cookies" -H 'Content-Type: application/json' \
  -H "X-CSRF-Token: $csrf" -d '{"name":"bench"}' "$flood_base/api/keys" | jq -r .secret)
[[ $flood_key == tfzo_* ]] || { echo "load.sh: could not create a key" >&2; exit 1; }
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
  env "$@" wrk -t1 -c"$FLOOD_CONNECTIONS" -d"${flood_seconds}s" -s "$tmp/flood.lua" \
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
  # Second baseline: no flood, one busy loop at the lowest priority outside the server. What
  # the key check loses to it is what any CPU-bound work costs it on these cores, however
  # politely scheduled (the hashing threads run at niceness 19 too).
  nice -n 19 sh -c 'while :; do :; done' &
  hog_pid=$!
  pids+=("$hog_pid")
  read -r rps p50 p99 bad < <(run_wrk "hog$r" "$flood_base/api/v1/me" -H "$flood_auth")
  kill "$hog_pid" 2>/dev/null || true
  wait "$hog_pid" 2>/dev/null || true
  printf '%-6s %-12s %10.0f %8.3f %8.3f %7s\n' "$r" "nice-19 hog" "$rps" "$p50" "$p99" "$bad"
done
stop_server "$flood_pid"
fi

# --- summary -------------------------------------------------------------------------------

col() { for r in $(seq "$ROUNDS"); do cut -d' ' -f"$2" "$tmp/$1$r.fig"; done | mean; }
# median_of NAME FIELD / worst_of NAME FIELD: over the rounds of run NAME.
median_of() { for r in $(seq "$ROUNDS"); do cut -d' ' -f"$2" "$tmp/$1$r.fig"; done | sort -g | sed -n "$(((ROUNDS + 1) / 2))p"; }
worst_of() { for r in $(seq "$ROUNDS"); do cut -d' ' -f"$2" "$tmp/$1$r.fig"; done | sort -g | tail -1; }
echo
echo "== summary (req/s: means of $ROUNDS rounds; latency: the median round, and the worst)"
if want 4; then
  printf '%-48s %s\n' \
    "password hashing pool" "${hashing:-n/a}" \
    "key check p50 ms, idle / under a login flood" \
    "$(median_of idle 2) / $(median_of flooded 2)" \
    "key check p99 ms, idle / under a login flood" \
    "$(median_of idle 3) / $(median_of flooded 3) (worst rounds $(worst_of idle 3) / $(worst_of flooded 3))" \
    "ratio p99 flood/idle (target <= 2)" "$(ratio "$(median_of flooded 3)" "$(median_of idle 3)")" \
    "key check p99 ms, cheap flood of the same rate" \
    "$(median_of cheap 3) (baseline: the second load generator, no hashing)" \
    "ratio p99 login flood/cheap flood" "$(ratio "$(median_of flooded 3)" "$(median_of cheap 3)")" \
    "key check p99 ms beside a nice-19 busy loop" \
    "$(median_of hog 3) (baseline: any CPU-bound work on these cores)" \
    "ratio p99 nice-19 busy loop/idle" "$(ratio "$(median_of hog 3)" "$(median_of idle 3)")"
fi
want 1 && want 2 && want 3 || exit 0
ours=$(col ours 1); theirs=$(col nginx 1); few=$(col few 1); many=$(col many 1)
p50=$(median_of ours 2)
p99=$(median_of ours 3); p99_worst=$(worst_of ours 3)
np99=$(median_of nginx 3); np99_worst=$(worst_of nginx 3)
printf '%-48s %s\n' \
  "GET /api/v1/me, 2501-accounts, req/s" "$ours" \
  "same path, nginx static body, req/s" "$theirs" \
  "ratio ours/nginx (target >= 0.8)" "$(ratio "$ours" "$theirs")" \
  "our p50 latency, ms" "$p50" \
  "our p99 latency, ms (target < 2)" "$p99 (worst round $p99_worst)" \
  "nginx p99 latency, ms" "$np99 (worst round $np99_worst)" \
  "req/s with $FEW keys in the store" "$few" \
  "req/s with $MANY keys in the store" "$many" \
  "ratio 1M/1K (target >= 0.9)" "$(ratio "$many" "$few")" \
  "VmRSS with $MANY keys cached, MiB (target <= 512)" "$(awk -v b="$rss1" 'BEGIN {printf "%.1f", b / 1024}')"
