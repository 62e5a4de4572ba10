#!/usr/bin/env bash
# Base images for the real builds of dockerfiles/*.Dockerfile, made here because no registry image can
# be pulled on this machine (needs 30-docker.sh's engine):
#   debian:12                       `mmdebstrap --variant=minbase bookworm` (what debian:bookworm-slim is)
#   ig-dotnet-sdk:10.0              the same Debian plus ca-certificates, libicu72 and this machine's .NET SDK
#                                   (/usr/share/dotnet), standing in for mcr.microsoft.com/dotnet/sdk:10.0, and
#                                   this machine's extra CA certificates (/usr/local/share/ca-certificates: its
#                                   egress to NuGet re-signs TLS) with NUGET_CERT_REVOCATION_MODE as set here
# Root file systems are cached as tars under $IG_CACHE/images (about 16 s and 40 s once); each run
# (mmdebstrap picks its output format from the .tar name) `docker import`s them into the fresh engine. Exports IG_TEST_DEBIAN_IMAGE, IG_TEST_SDK_IMAGE.
set -euo pipefail
source "$IG_TEST_ENV"
export DOCKER_HOST="$DOCKER_TEST_HOST"
if ! command -v mmdebstrap >/dev/null 2>&1; then
  for i in 1 2 3 4 5; do
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null && break
    sleep 5
  done
fi
cache="$IG_CACHE/images"; mkdir -p "$cache"
sdk_version=$(dotnet --version)
debian_tar="$cache/debian-bookworm-minbase.tar"
extra_ca=$(cat /usr/local/share/ca-certificates/*.crt 2>/dev/null | sha256sum | cut -c1-12)
sdk_tar="$cache/dotnet-sdk-$sdk_version-ca$extra_ca-bookworm.tar"
if [ ! -s "$debian_tar" ]; then
  mmdebstrap --quiet --variant=minbase bookworm "${debian_tar%.tar}.tmp.tar" && mv "${debian_tar%.tar}.tmp.tar" "$debian_tar"
fi
if [ ! -s "$sdk_tar" ]; then
  rm -rf "$cache"/dotnet-sdk-*
  mmdebstrap --quiet --variant=minbase --include=ca-certificates,libicu72 \
    --customize-hook='mkdir -p "$1/usr/share/dotnet"' \
    --customize-hook='copy-in /usr/share/dotnet/. /usr/share/dotnet' \
    --customize-hook='chroot "$1" ln -sf /usr/share/dotnet/dotnet /usr/bin/dotnet' \
    --customize-hook='if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" && chroot "$1" update-ca-certificates >/dev/null; fi' \
    bookworm "${sdk_tar%.tar}.tmp.tar" && mv "${sdk_tar%.tar}.tmp.tar" "$sdk_tar"
fi
docker import -c 'CMD ["bash"]' "$debian_tar" debian:12 >/dev/null
docker tag debian:12 debian:bookworm-slim
docker import -c 'CMD ["bash"]' -c 'ENV DOTNET_ROOT=/usr/share/dotnet' -c 'ENV DOTNET_CLI_TELEMETRY_OPTOUT=1' \
  -c 'ENV DOTNET_NOLOGO=1' -c "ENV NUGET_CERT_REVOCATION_MODE=${NUGET_CERT_REVOCATION_MODE:-online}" -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/root/.dotnet/tools' \
  "$sdk_tar" ig-dotnet-sdk:10.0 >/dev/null
cat >> "$IG_TEST_ENV" <<ENV
export IG_TEST_DEBIAN_IMAGE=debian:12
export IG_TEST_SDK_IMAGE=ig-dotnet-sdk:10.0
ENV
