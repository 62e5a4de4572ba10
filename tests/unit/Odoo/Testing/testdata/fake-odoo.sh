#!/bin/sh
# A stand-in for odoo-bin in the runner tests (POSIX sh: runs under bash and busybox sh).
# It replays a REAL Odoo log from the fixtures on stderr, as Odoo writes it, and exits with the
# exit code recorded for that log in its .cmd file. The log is chosen by the first -i module:
#   ig_pass  -> 17.0 pass_test_level     ig_fail  -> 17.0 fail_test_level
#   ig_error -> 18.0 error_test_level    ig_hang  -> the first lines of pass_default, then hangs
#   anything else: $FAKE_ODOO_LOG (a fixture path without .log) must say which.
# `fake-odoo db [-c conf] drop NAME` records NAME in STATE/dropped and exits 0.
# Every invocation's arguments are appended to STATE/argv (one line each).
# STATE is the folder of the -c config file (else $FAKE_ODOO_STATE, else /tmp). The config file may set
#   fake_fixtures = /path/to/fixtures/odoo      fake_log = 18.0/fail_default
# (defaults: $FAKE_ODOO_FIXTURES, /fixtures in the test image, else ../shared/fixtures/odoo of the checkout).
conf=""; prev=""
for a in "$@"; do [ "$prev" = "-c" ] && conf="$a"; prev="$a"; done
setting() { [ -n "$conf" ] && [ -f "$conf" ] && sed -n "s/^$1 *= *//p" "$conf" | head -n 1; }
here="$(cd "$(dirname "$0")" && pwd)"
fixtures="$(setting fake_fixtures)"
[ -z "$fixtures" ] && fixtures="${FAKE_ODOO_FIXTURES:-}"
[ -z "$fixtures" ] && [ -d /fixtures ] && fixtures=/fixtures
[ -z "$fixtures" ] && fixtures="$here/../../../../../../shared/fixtures/odoo"
FAKE_ODOO_LOG="$(setting fake_log)${FAKE_ODOO_LOG:-}"
if [ -n "$conf" ]; then state="$(dirname "$conf")"; else state="${FAKE_ODOO_STATE:-/tmp}"; fi
{ echo "$*" >> "$state/argv"; } 2>/dev/null
if [ "$1" = "db" ]; then
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      -c) shift 2 ;;
      drop) echo "$2" >> "$state/dropped"; exit 0 ;;
      *) shift ;;
    esac
  done
  echo "usage: odoo-bin db drop NAME" >&2; exit 2
fi
db=""; mods=""
while [ $# -gt 0 ]; do
  case "$1" in
    -d) db="$2"; shift 2 ;;
    -i) mods="$2"; shift 2 ;;
    *) shift ;;
  esac
done
first="${mods%%,*}"
case "$first" in
  ig_pass) log="$fixtures/pass_test_level" ;;
  ig_fail) log="$fixtures/fail_test_level" ;;
  ig_error) log="$fixtures/18.0/error_test_level" ;;
  ig_hang) head -n 12 "$fixtures/pass_default.log" >&2; exec sleep 600 ;;
  *) log="${FAKE_ODOO_LOG:?no fixture for module $first; set FAKE_ODOO_LOG}" ;;
esac
[ -n "$FAKE_ODOO_LOG" ] && log="$fixtures/$FAKE_ODOO_LOG"
code=$(sed -n 's/^exit_code: *\([0-9]*\).*/\1/p' "$log.cmd")
# The database column of each record becomes the one we were given.
sed -E "s/^([0-9]{4}-[0-9-]+ [0-9:,]+ [0-9]+ [A-Z]+ )[^ ?]+ /\1${db:-?} /" "$log.log" >&2
exit "${code:-0}"
