#!/usr/bin/env bash
# Load benchmark: the release server on a fresh database of each backend,
# 32 connections (wrk), against raw-database baselines measured in the same
# run through the same pool at the same concurrency (benches/load/baseline.rs).
#
#   benches/load/run.sh                 # both backends (PostgreSQL at $PG_URL)
#   BACKENDS=sqlite benches/load/run.sh
#   SECONDS_PER_RUN=20 benches/load/run.sh
#
# Prints a Markdown table; paste it into docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

BACKENDS=${BACKENDS:-"sqlite postgres"}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
DUR=${SECONDS_PER_RUN:-10}
CONN=32
# Database pool size, the same for the server and the baselines.
POOL=${POOL:-$CONN}
PORT=${PORT:-18099}
KEY=test-record-key-0123456789abcdef0123456789
JWT=bench-jwt-secret-0123456789abcdef0123456789

command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }
command -v jq >/dev/null || { apt-get install -y jq >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y jq >/dev/null; }; }

cargo build --release --quiet
cargo bench --quiet --bench load_baseline --no-run
cargo bench --quiet --bench load_workflow --no-run
baseline() { cargo bench --quiet --bench load_baseline -- "$@" 2>/dev/null | tail -1 | awk '{print $4}'; }

work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

rps() { grep -E '^Requests/sec' "$1" | awk '{print $2}'; }
non2xx() { grep -E 'Non-2xx' "$1" | awk '{print $NF}' || true; }

echo "| backend | measure | zhifa req/s | baseline req/s | ratio |"
echo "|---|---|---|---|---|"
for backend in $BACKENDS; do
  case $backend in
    sqlite) url="sqlite://$work/bench.db" ;;
    postgres)
      db="zhifa_bench_$$"
      psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null
      psql "$PG_URL" -qc "CREATE DATABASE $db" >/dev/null
      url="${PG_URL%/*}/$db" ;;
  esac
  ZHIFA_DATABASE_URL=$url ZHIFA_DATA_DIR=$work ZHIFA_BIND=127.0.0.1:$PORT ZHIFA_POOL_SIZE=$POOL \
    ZHIFA_RECORD_KEY=$KEY ZHIFA_JWT_SECRET=$JWT ZHIFA_LOG=warn ./target/release/zhifa serve >"$work/server-$backend.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -sf "localhost:$PORT/readyz" >/dev/null && break; sleep 0.2; done
  base="http://127.0.0.1:$PORT/api/v1"
  login=$(curl -sf -X POST "$base/auth/login" -H 'content-type: application/json' -d '{"username":"li.officer","password":"zhifa-demo-2026"}')
  export TOKEN=$(jq -r .access_token <<<"$login")
  li=$(jq -r .user.id <<<"$login")
  dept=$(jq -r .user.department_id <<<"$login")
  wang=$(curl -sf "$base/users?role=officer" -H "authorization: Bearer $TOKEN" | jq -r '.items[] | select(.username=="wang.officer") | .id')
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  export BODY_FILE=$work/body.json
  cat >"$BODY_FILE" <<JSON
{"enforcement_item_code":"MR-FS-001","source":"inspection","procedure":"general",
 "party":{"kind":"organization","name":"昆明某某餐饮管理有限公司","id_type":"uscc","id_number":"915301027000000003",
          "address":"昆明市五华区华山西路1号","phone":"0871-65123456","legal_representative":"赵某"},
 "facts":"检查发现当事人未取得食品经营许可证从事餐饮服务。","location":"昆明市五华区华山西路1号",
 "occurred_at":"2026-01-01T00:00:00Z","discovered_at":"$now","officer_ids":["$li","$wang"]}
JSON
  case_id=$(curl -sf -X POST "$base/cases" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d @"$BODY_FILE" | jq -r .id)

  wrk -t2 -c$CONN -d${DUR}s -s benches/load/post_case.lua "$base/cases" >"$work/post.txt"
  wrk -t2 -c$CONN -d${DUR}s -s benches/load/get.lua "$base/cases/$case_id" >"$work/get.txt"
  wrk -t2 -c$CONN -d${DUR}s "http://127.0.0.1:$PORT/healthz" >"$work/health.txt"
  # A lookup that walks a multiple clause, an Art 32 ground and the hearing/review rules.
  echo '{"item_code":"MR-FS-001","party_kind":"organization","facts":{"goods_value_fen":1500000,"harm":"ordinary","mitigating":["confessed_unknown"],"first_violation":true}}' >"$work/lookup.json"
  BODY_FILE=$work/lookup.json wrk -t2 -c$CONN -d${DUR}s -s benches/load/post_case.lua "$base/discretion/lookup" >"$work/lookup.txt"
  # The whole general-procedure path (13 requests a case) against intake alone.
  cargo bench --quiet --bench load_workflow -- --base "$base" --concurrency "${PATH_WORKERS:-8}" --seconds "$DUR" \
    >"$work/path.txt" 2>"$work/path-steps.txt"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=

  ins=$(baseline --mode insert --url "$url" --concurrency $CONN --pool $POOL --seconds "$DUR" --department-id "$dept" --user-id "$li" --officer "$li" --officer "$wang" --record-key $KEY)
  get=$(baseline --mode get --url "$url" --concurrency $CONN --pool $POOL --seconds "$DUR" --case-id "$case_id")
  p=$(rps "$work/post.txt"); g=$(rps "$work/get.txt"); h=$(rps "$work/health.txt")
  l=$(rps "$work/lookup.txt")
  for f in post get health lookup; do
    bad=$(non2xx "$work/$f.txt"); [ -z "$bad" ] || echo "WARNING: $backend $f had $bad non-2xx responses" >&2
  done
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
  echo "| $backend | POST /cases vs raw intake rows | $p | $ins | $(ratio "$p" "$ins") |"
  echo "| $backend | GET /cases/{id} vs raw PK fetch | $g | $get | $(ratio "$g" "$get") |"
  echo "| $backend | GET /cases/{id} vs GET /healthz | $g | $h | $(ratio "$g" "$h") |"
  echo "| $backend | POST /discretion/lookup vs GET /healthz | $l | $h | $(ratio "$l" "$h") |"
  path_rate=$(sed -E 's/.*whole path ([0-9.]+) cases.*/\1/' "$work/path.txt")
  intake_rate=$(sed -E 's/^intake ([0-9.]+) cases.*/\1/' "$work/path.txt")
  echo "| $backend | whole general path (cases/s) vs intake alone (cases/s) | $path_rate | $intake_rate | $(ratio "$path_rate" "$intake_rate") |"
  echo "| $backend | slowest step of the path | $(sed -E 's/.*slowest step (.*)$/\1/' "$work/path.txt") | | |"
  sed "s/^/    $backend /" "$work/path-steps.txt" >&2
  if [ "$backend" = postgres ]; then psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; fi
done
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; ${DUR}s per run, $CONN connections, pool $POOL; $(date -u +%Y-%m-%d)"
