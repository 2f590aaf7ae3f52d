# What every build script beside this file starts with; sourced, not run. Sets `here` (this
# folder), `root` (the repository), `cache` (.cache, or $STEPWISE_CACHE) and `say` (a message
# on stderr, named after the script), loads the pinned versions, and stops when Go is missing.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
. "$here/versions.sh"
root="$(cd "$here/../.." && pwd)"
cache="${STEPWISE_CACHE:-$root/.cache}"
say() { echo "$(basename "$0" .sh): $*" >&2; }

command -v go >/dev/null || { say "Go is needed (go1.25 or newer): install it and rerun"; exit 2; }
