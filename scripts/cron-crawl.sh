#!/usr/bin/env bash
# One crawl from cron. Usage: scripts/cron-crawl.sh SPIDER [scrapy crawl options ...]
#
# Runs `scrapy crawl SPIDER` from the project folder with its virtualenv, logs the whole run to
# $NEWSCRAWL_LOG_DIR/SPIDER/YYYY-MM-DD/HHMMSS.log (WIB; default output/logs), removes day folders
# of logs older than $NEWSCRAWL_LOG_KEEP_DAYS (default 30) and exits with the crawl's status
# (README "Exit status"). It prints one line (cron mails it) only when a run failed; a run that
# found another one in progress (75) stays quiet. NEWSCRAWL_OUTPUT_DIR, if set, moves feeds and state.
set -u
here="$(cd "$(dirname "$0")/.." && pwd)"
spider="${1:?usage: cron-crawl.sh SPIDER [scrapy crawl options ...]}"
shift
log_root="${NEWSCRAWL_LOG_DIR:-$here/output/logs}"
keep_days="${NEWSCRAWL_LOG_KEEP_DAYS:-30}"
day="$(date -u -d '+7 hours' +%F)"
stamp="$(date -u -d '+7 hours' +%H%M%S)"
mkdir -p "$log_root/$spider/$day" || exit 73
log="$log_root/$spider/$day/$stamp.log"
settings=()
if [ -n "${NEWSCRAWL_OUTPUT_DIR:-}" ]; then
    settings=(-s "NEWSCRAWL_OUTPUT_DIR=$NEWSCRAWL_OUTPUT_DIR")
fi
cd "$here" || exit 73
"$here/.venv/bin/scrapy" crawl "$spider" "${settings[@]}" "$@" >>"$log" 2>&1
status=$?
find "$log_root/$spider" -mindepth 1 -maxdepth 1 -type d -mtime +"$keep_days" -exec rm -rf {} +
if [ "$status" -ne 0 ] && [ "$status" -ne 75 ]; then
    echo "newscrawl $spider: exit status $status, see $log" >&2
fi
exit "$status"
