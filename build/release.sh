#!/usr/bin/env bash
# Builds the Slipway release artifacts from this checkout:
#   dist/slipway-VERSION-linux-x64, dist/slipway-VERSION-linux-arm64   self-contained single-file executables
#   dist/slipway.VERSION.nupkg                                         the `dotnet tool` package (needs a .NET 10 runtime)
#   dist/SHA256SUMS                                                    their digests
# Each binary has the version, the git revision and the source digest stamped in (`slipway version`, `/version`).
#
# Usage: build/release.sh [--version V] [--out DIR] [--rid RID]... [--no-tool]
#   --version  default: the nearest tag without its leading v, else 0.1.0-dev.COMMITS
#   --rid      linux-x64 and/or linux-arm64 (default both)
set -euo pipefail
cd "$(dirname "$0")/.."

version="" out="dist" rids=() tool=1
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --rid) rids+=("$2"); shift 2 ;;
    --no-tool) tool=0; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "release.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64)
for rid in "${rids[@]}"; do
  case "$rid" in linux-x64|linux-arm64) ;; *) echo "release.sh: --rid $rid: only linux-x64 and linux-arm64 are built" >&2; exit 2 ;; esac
done

revision=$(git rev-parse HEAD)
dirty=false
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then dirty=true; fi
if [ -z "$version" ]; then
  if tag=$(git describe --tags --abbrev=0 2>/dev/null); then version="${tag#v}"; else version="0.1.0-dev.$(git rev-list --count HEAD)"; fi
fi
# The source digest: every tracked file's blob id at this revision (plus the uncommitted diff when dirty).
digest="sha256:$({ git ls-tree -r --full-tree HEAD; if $dirty; then git diff HEAD; fi; } | sha256sum | cut -d' ' -f1)"
built_at=$(git log -1 --format=%cI HEAD)

mkdir -p "$out"
out=$(cd "$out" && pwd)
stamp=(-p:Version="${version%%-*}" -p:InformationalVersion="$version+${revision:0:12}$($dirty && echo .dirty || true)"
       -p:SourceRevisionId="$revision" -p:SlipwayRevision="$revision" -p:SlipwayDigest="$digest"
       -p:SlipwayDirty="$dirty" -p:SlipwayBuiltAt="$built_at" -p:SlipwayVersion="$version")

for rid in "${rids[@]}"; do
  echo "release: slipway $version ($rid)"
  work=$(mktemp -d)
  dotnet publish src/Slipway -c Release -r "$rid" --self-contained true -nologo -v q \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:EnableCompressionInSingleFile=true \
    -p:DebugType=none -p:GenerateDocumentationFile=false "${stamp[@]}" -o "$work"
  cp "$work/slipway" "$out/slipway-$version-$rid"
  chmod 0755 "$out/slipway-$version-$rid"
  rm -rf "$work"
done

if [ "$tool" = 1 ]; then
  echo "release: slipway $version (dotnet tool)"
  rm -f "$out"/slipway.*.nupkg
  dotnet pack src/Slipway -c Release -nologo -v q -p:SlipwayTool=true \
    -p:PackageVersion="$version" "${stamp[@]}" -o "$out"
fi

(cd "$out" && sha256sum slipway-"$version"-* $( [ "$tool" = 1 ] && echo slipway."$version".nupkg ) > SHA256SUMS)
echo "release: version $version, revision $revision$($dirty && echo ' (dirty)' || true), digest $digest"
cat "$out/SHA256SUMS"
