#!/usr/bin/env bash
# Fetches real recorded human speech for the room simulator (showgen/room.py) and the judgement benchmark
# (bench/judgement_bench.py): Debian's Fish Fillets NG voice-over packages (GPL-2) and pocketsphinx's test
# data (BSD), and the Czech voice-over (fillets-ng-data-cs: two more actors, so a simulated show has five
# distinct people). About 144 MB of .deb files, unpacked to about 180 MB, into a cache outside git:
#   ${BURGER_VOICES:-~/.cache/burger-pipeline/voices}/root/usr/share/games/fillets-ng/...
# Run it by hand (the pipeline never downloads anything at run time). Safe to run again; delete the folder to
# get the space back. The audio is never committed.
#
# Dutch lines of the levels start, library, briefcase, electromagnet, kitchen, key, keys and turtle are reserved
# for acceptance tests: showgen/voices.py refuses to read them (RESERVED_LEVELS).
set -euo pipefail
cache=${BURGER_VOICES:-$HOME/.cache/burger-pipeline/voices}
packages=(fillets-ng-data-nl fillets-ng-data-cs fillets-ng-data pocketsphinx-testdata ${EXTRA_VOICE_PACKAGES:-})
mkdir -p "$cache/root"
cd "$cache"
missing=()
for p in "${packages[@]}"; do
  ls "${p}"_*.deb >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! apt-get download "${missing[@]}" 2>/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    apt-get download "${missing[@]}"
  fi
fi
for deb in *.deb; do
  stamp="root/.${deb%.deb}.unpacked"
  [ -e "$stamp" ] || { dpkg-deb -x "$deb" root && touch "$stamp"; }
done
echo "Voices: $cache/root/usr/share/games/fillets-ng ($(ls root/usr/share/games/fillets-ng/sound/*/nl/*.ogg | wc -l) Dutch lines)"
