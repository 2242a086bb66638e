#!/usr/bin/env bash
# Runs the real-WordPress tests: env up, PHPUnit (if tests/wp/phpunit exists), HTTP tests, browser tests,
# env down (always). Last line: "wp: N passed, M failed". Exit non-zero on any failure.
# Env: UMW_EXT, UMW_WP_STATE, UMW_PLUGIN_DIR (see env.sh); UMW_WP_KEEP=1 leaves the env up;
#      UMW_WP_ONLY="phpunit http e2e" runs a subset; UMW_WP_UPDATE_DOCS=1 copies screenshots to docs/screenshots.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
export UMW_WP_STATE="${UMW_WP_STATE:-/tmp/umw-wp}"
if [[ -z "${UMW_EXT:-}" ]]; then
  if [[ -f "$REPO/target/release/libumw.so" ]]; then export UMW_EXT="$REPO/target/release/libumw.so"
  elif [[ -f /tmp/umw-dist/libumw.so ]]; then export UMW_EXT=/tmp/umw-dist/libumw.so; fi
fi
ONLY="${UMW_WP_ONLY:-phpunit http e2e}"
PASSED=0 FAILED=0
declare -a FAILS=()
t0=$SECONDS

note() { printf '\n==== %s\n' "$*"; }
add() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); [[ $2 -gt 0 ]] && FAILS+=("$3"); return 0; }
finish() {
  local rc=$?
  if [[ ${UMW_WP_KEEP:-0} != 1 ]]; then "$HERE/env.sh" down >/dev/null 2>&1 || true
  else echo "(UMW_WP_KEEP=1: environment left up; tests/wp/env.sh down to stop it)"; fi
  if ((${#FAILS[@]})); then printf 'failed: %s\n' "${FAILS[@]}"; fi
  echo "(wp tests took $((SECONDS - t0))s)"
  echo "wp: $PASSED passed, $FAILED failed"
  if ((FAILED > 0)); then exit 1; fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

# count results from a harness JSON file
count_json() { # count_json <file> <label>
  if [[ -f $1 ]]; then
    read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.passed+" "+r.failed)' "$1")
    add "$p" "$f" "$2"
  else
    add 0 1 "$2 (no results: crashed?)"
  fi
}

if [[ -z ${UMW_EXT:-} || ! -f ${UMW_EXT:-/nonexistent} ]]; then
  echo "ERROR: umw extension not found (set UMW_EXT or build target/release/libumw.so)" >&2
  add 0 1 "extension present"
fi

note "env up"
if ! timeout 120 "$HERE/env.sh" up; then
  add 0 1 "env.sh up"
  tail -n 30 "$UMW_WP_STATE"/logs/*.log 2>/dev/null
  exit 1
fi
add 1 0 ""
source "$UMW_WP_STATE/env"

if [[ $ONLY == *http* || $ONLY == *e2e* ]]; then
  note "npm (playwright-core, no browser download)"
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  if [[ ! -d $HERE/node_modules/playwright-core ]]; then
    (cd "$HERE" && timeout 180 npm ci --no-audit --no-fund --loglevel=error) || add 0 1 "npm ci"
  fi
fi

if [[ $ONLY == *phpunit* ]]; then
  if [[ -f $HERE/phpunit/phpunit.xml.dist ]]; then
    note "PHPUnit (tests/wp/phpunit)"
    junit="$UMW_WP_STATE/phpunit-junit.xml"
    rm -f "$junit"
    (cd "$REPO" && timeout 240 "$HERE/wp-php.sh" /usr/bin/phpunit -c "$HERE/phpunit/phpunit.xml.dist" --log-junit "$junit")
    prc=$?
    if [[ -s $junit ]]; then
      read -r p f < <(php -r '
        $x = simplexml_load_file($argv[1]); $s = $x->testsuite[0] ?? $x;
        $t = (int)$s["tests"]; $f = (int)$s["failures"] + (int)$s["errors"]; $k = (int)$s["skipped"];
        echo ($t - $f - $k), " ", $f, "\n";' "$junit")
      add "$p" "$f" "phpunit"
      if [[ $prc -ne 0 && $f -eq 0 ]]; then add 0 1 "phpunit (exit $prc)"; fi
    else
      add 0 1 "phpunit (exit $prc, no junit report)"
    fi
  else
    note "PHPUnit: tests/wp/phpunit/phpunit.xml.dist not present, skipped"
  fi
fi

if [[ $ONLY == *http* ]]; then
  note "HTTP tests (tests/wp/http)"
  rm -f "$UMW_WP_STATE/results-http.json"
  UMW_WP_RESULTS="$UMW_WP_STATE/results-http.json" timeout 240 node "$HERE/http/run.js"
  count_json "$UMW_WP_STATE/results-http.json" "http"
fi

if [[ $ONLY == *e2e* ]]; then
  note "browser tests (tests/wp/e2e)"
  rm -f "$UMW_WP_STATE/results-e2e.json"
  UMW_WP_RESULTS="$UMW_WP_STATE/results-e2e.json" timeout 240 node "$HERE/e2e/run.js"
  count_json "$UMW_WP_STATE/results-e2e.json" "e2e"
fi

note "server logs: no crashed php-fpm workers, no PHP fatal errors"
crash=$(grep -hE 'exited on signal|exited with code [1-9]|SIGSEGV|panicked' "$UMW_WP_STATE/logs/php-fpm.log" 2>/dev/null | head -5)
fatal=$(grep -hE 'PHP Fatal error' "$UMW_WP_STATE/logs/wp-debug.log" "$UMW_WP_STATE/logs/php-fpm-php.log" "$UMW_WP_STATE/logs/php-cli.log" 2>/dev/null | head -5)
if [[ -n $crash || -n $fatal ]]; then
  printf '%s\n' "$crash" "$fatal"
  add 0 1 "server logs (crash/fatal)"
else
  echo "ok"; add 1 0 ""
fi

if ((FAILED > 0)); then
  note "last lines of the WordPress debug log"
  grep -v 'PHP Deprecated' "$UMW_WP_STATE/logs/wp-debug.log" 2>/dev/null | tail -n 20
fi
