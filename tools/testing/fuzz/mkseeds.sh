#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write the hand-made seed inputs into regressions/<harness>/seed-*: edge
# cases each harness must pass, and where the fuzzing starts on a machine
# without a corpus.  The layouts are in each fuzz_<harness>.c.  Run it
# after changing a layout, and commit its output; crash inputs found by
# fuzzing sit beside these files, under other names.
set -euo pipefail

dir=$(cd "$(dirname "$0")" && pwd)/regressions

# le BYTES VALUE: VALUE little-endian (bash arithmetic: 64-bit, wraps).
le() {
	local n=$1 v=$(($2)) i
	for ((i = 0; i < n; i++)); do
		# shellcheck disable=SC2059 # the format is the escape itself
		printf "\\x$(printf %02x $(((v >> (8 * i)) & 255)))"
	done
}
zeros() { head -c "$1" /dev/zero; }

# seed HARNESS NAME: stdin becomes regressions/HARNESS/seed-NAME.
seed() {
	mkdir -p "$dir/$1"
	cat >"$dir/$1/seed-$2"
}

# ---- blkif: start, length, flags, slot (112), protocol ----
LB8=1 RO=2 FLUSH=4 X32=8 DISCARD=16 SECURE=32
# blkreq ABI OP NR ID SECTOR FIRST LAST NSEGS: a 112-byte slot (x86_32
# uses 108) with NSEGS segments of FIRST..LAST, grefs 100, 101, ...
blkreq() {
	local abi=$1 op=$2 nr=$3 id=$4 sector=$5 first=$6 last=$7 nsegs=$8 i hdr=20
	le 1 "$op"
	le 1 "$nr"
	le 2 0
	if [ "$abi" = 64 ]; then le 4 0; hdr=24; fi
	le 8 "$id"
	le 8 "$sector"
	for ((i = 0; i < nsegs; i++)); do
		le 4 $((100 + i))
		le 1 "$first"
		le 1 "$last"
		le 2 0
	done
	zeros $((112 - hdr - 8 * nsegs))
}
MAXSECT=$(((1 << 54) - 1))	# PVBLK_REGION_MAX_SECTORS: U64_MAX >> 10

{ le 8 5000; le 8 1000; le 1 $FLUSH; blkreq 64 0 1 42 0 0 7 1; printf x86_64-abi; } |
	seed blkif read
{ le 8 8; le 8 1024; le 1 $((LB8 | FLUSH | X32)); blkreq 32 1 11 7 8 0 7 11; printf x86_32-abi; } |
	seed blkif write-11-segs-4k-x86_32
{ le 8 0; le 8 $MAXSECT; le 1 0; blkreq 64 0 1 1 -8 0 7 1; } |
	seed blkif sector-near-2^64
{ le 8 $((MAXSECT + 1 - 8 - 4096)); le 8 4096; le 1 $LB8; blkreq 64 0 1 1 4088 0 7 1; } |
	seed blkif last-block-of-the-largest-region
{ le 8 5000; le 8 1000; le 1 0; blkreq 64 0 1 1 993 0 7 1; } |
	seed blkif one-past-the-region
{ le 8 5000; le 8 1000; le 1 $FLUSH; blkreq 64 1 255 1 0 0 7 11; } |
	seed blkif nr-segs-255
{ le 8 5000; le 8 1000; le 1 $((FLUSH | RO)); blkreq 64 3 0 9 0 0 0 0; printf arm-abi; } |
	seed blkif bare-flush-read-only
{ le 8 5000; le 8 1000; le 1 $FLUSH; blkreq 64 3 0 9 0 0 0 0; } |
	seed blkif bare-flush
{ le 8 5000; le 8 1000; le 1 $((LB8 | X32)); blkreq 32 0 1 1 8 0 3 1; } |
	seed blkif partial-4k-block
# The indirect fields follow a 63-byte protocol field (proto STR).
proto() { printf %s "$1"; zeros $((63 - ${#1})); }
# blkind ABI INNER NR ID SECTOR: an indirect slot, 112 bytes, indirect
# grefs 200..207
blkind() {
	local abi=$1 i hdr=56
	le 1 6
	le 1 "$2"
	le 2 "$3"
	if [ "$abi" = 64 ]; then le 4 0; hdr=60; fi
	le 8 "$4"
	le 8 "$5"
	le 4 0
	for ((i = 0; i < 8; i++)); do le 4 $((200 + i)); done
	zeros $((112 - hdr))
}
# descs N FIRST LAST: N descriptors of the indirect page, grefs 300, ...
descs() {
	local i
	for ((i = 0; i < $1; i++)); do
		le 4 $((300 + i)); le 1 "$2"; le 1 "$3"; le 2 0
	done
}
CAPPED=$((0x8000))	# feature-max-indirect-segments 257: acts as 256

{ le 8 5000; le 8 4096; le 1 $FLUSH; blkind 64 0 256 77 2048; proto x86_64-abi; le 2 256
  descs 256 0 7; } | seed blkif indirect-read-256-segs
{ le 8 8; le 8 1024; le 1 $((LB8 | X32)); blkind 32 1 3 5 16; proto x86_32-abi; le 2 32
  descs 3 0 7; } | seed blkif indirect-write-x86_32-4k
{ le 8 5000; le 8 4096; le 1 0; blkind 64 0 257 1 0; proto ""; le 2 $CAPPED; descs 257 0 7; } |
	seed blkif indirect-257-segs-past-the-cap
{ le 8 5000; le 8 4096; le 1 0; blkind 64 0 256 1 0; proto ""; le 2 $CAPPED; descs 256 0 7; } |
	seed blkif indirect-256-segs-capped
{ le 8 5000; le 8 4096; le 1 0; blkind 64 0 1 1 0; proto ""; le 2 0; descs 1 0 7; } |
	seed blkif indirect-not-offered
{ le 8 5000; le 8 4096; le 1 $FLUSH; blkind 64 3 1 1 0; proto ""; le 2 16; descs 1 0 7; } |
	seed blkif indirect-inner-flush
{ le 8 5000; le 8 4096; le 1 0; blkind 32 0 0 1 0; proto ""; le 2 16; } |
	seed blkif indirect-0-segs
{ le 8 5000; le 8 4096; le 1 0; blkind 64 0 200 1 0; proto ""; le 2 256
  descs 199 0 7; le 4 999; le 1 4; le 1 3; le 2 0; } | seed blkif indirect-last-segment-bad
{ le 8 5000; le 8 4096; le 1 $RO; blkind 64 1 1 1 0; proto ""; le 2 8; descs 1 0 7; } |
	seed blkif indirect-write-read-only
{ le 8 5000; le 8 200; le 1 $X32; blkind 32 0 16 1 73; proto ""; le 2 16; descs 16 0 7; } |
	seed blkif indirect-one-past-the-region
# blkdis ABI FLAG ID SECTOR COUNT: a discard slot, 112 bytes; byte 1 is
# the flag (BLKIF_DISCARD_SECURE is 1), the count follows the sector.
blkdis() {
	local hdr=28
	le 1 5
	le 1 "$2"
	le 2 0
	if [ "$1" = 64 ]; then le 4 0; hdr=32; fi
	le 8 "$3"
	le 8 "$4"
	le 8 "$5"
	zeros $((112 - hdr))
}

{ le 8 5000; le 8 1000; le 1 $((FLUSH | DISCARD)); blkdis 64 0 11 968 32; } |
	seed blkif discard-to-the-end-of-the-region
{ le 8 8; le 8 1024; le 1 $((LB8 | X32 | DISCARD | SECURE)); blkdis 32 1 12 8 16; } |
	seed blkif discard-secure-x86_32-4k
{ le 8 5000; le 8 1000; le 1 $DISCARD; blkdis 64 1 13 8 8; } |
	seed blkif discard-secure-not-offered-is-plain
{ le 8 5000; le 8 1000; le 1 $((RO | DISCARD)); blkdis 64 0 14 0 8; } |
	seed blkif discard-read-only
{ le 8 5000; le 8 1000; le 1 $((DISCARD | X32)); blkdis 32 0 15 0 0; } |
	seed blkif discard-0-sectors
{ le 8 5000; le 8 1000; le 1 $DISCARD; blkdis 64 0 16 8 -8; } |
	seed blkif discard-sector-plus-count-is-2^64

# ---- netif_tx: rsp_prod, req_prod - rsp_prod, caps, unused, slots ----
MORE=4 XTRA=8 XMORE=1 GSO=1 HASH=4 TCPV4=1 TCPV6=2
# tx FLAGS OFFSET SIZE ID: a data slot (gref 1000 + ID)
tx() { le 4 $((1000 + $4)); le 2 "$2"; le 2 "$1"; le 2 "$4"; le 2 "$3"; }
# ext TYPE FLAGS [GSO_SIZE GSO_TYPE]: an extra_info slot
ext() { le 1 "$1"; le 1 "$2"; le 2 "${3:-0}"; le 1 "${4:-0}"; zeros 7; }
# chain N EACH ID0: N data slots, EACH bytes in every later one
chain() {
	local n=$1 each=$2 id=$3 i
	for ((i = 0; i < n; i++)); do
		tx $((i + 1 < n ? MORE : 0)) 10 $((i ? each : n * each)) $((id + i))
	done
}
txhdr() { le 4 "$1"; le 2 "$2"; le 1 "${3:-0}"; le 1 0; }

{ txhdr 0 1; tx 0 0 60 1; } | seed netif_tx one-slot
{ txhdr 0 4; tx $MORE 100 1000 0; tx $MORE 0 300 1; tx 0 4000 96 2; tx 0 0 60 3; } |
	seed netif_tx three-slots-then-one
{ txhdr 0 4 1; tx $((XTRA | MORE)) 0 160 0; ext $GSO $XMORE 1440 $TCPV6; ext $HASH 0; tx 0 0 60 3; } |
	seed netif_tx gso-and-hash
{ txhdr 0 3 0; tx $XTRA 0 60 0; ext $GSO $XMORE 1448 $TCPV4; ext $GSO 0 1448 $TCPV4; } |
	seed netif_tx gso-twice-not-negotiated
{ txhdr 0xfffffffc 10; chain 10 200 40; } | seed netif_tx wraps-2^32
{ txhdr 0 37; chain 18 100 0; chain 19 100 18; } | seed netif_tx 18-then-19-data-slots
{ txhdr 0 129; chain 64 10 0; chain 65 10 64; } | seed netif_tx 64-then-65-slots
{ txhdr 0 2; tx $MORE 0 300 0; tx $MORE 0 100 1; tx 0 0 100 2; } |
	seed netif_tx chain-past-the-producer
{ txhdr 0 0; tx 0 0 60 1; } | seed netif_tx avail-0
{ txhdr 0 1; tx $MORE 0 300 1; tx 0 0 100 2; } | seed netif_tx avail-1-of-a-chain
{ txhdr 0 257; } | seed netif_tx producer-257-ahead
{ txhdr 0 101; tx $XTRA 0 60 0; for ((i = 0; i < 100; i++)); do ext $HASH $XMORE; done; } |
	seed netif_tx endless-extras
{ txhdr 7 256; for ((i = 0; i < 256; i++)); do tx $MORE 0 1 "$i"; done; } |
	seed netif_tx ring-of-more-data
{ txhdr 0 2; tx $MORE 0 65535 0; tx 0 0 4096 1; } | seed netif_tx first-share-beyond-its-page

# ---- netif_misc: mode, then per mode ----
# RX: flags, start offset, a length, chunks (local, length)
rxchunk() { le 8 "$1"; le 4 "$2"; }
{ le 1 0; le 1 0; le 2 0; le 4 $((0xffffffff - 4095));
  rxchunk $((0x10000 + 3000)) 1500; rxchunk $((0x20000 + 100)) 4000
  rxchunk $((0x30000 + 4000)) 6000; rxchunk $((0x40000 + 1)) 4095; } |
	seed netif_misc rx-packet
{ le 1 0; le 1 0; le 2 0; le 4 4097; rxchunk $((0x10000 + 14)) 54; rxchunk $((0x20000 + 4094)) 65482; } |
	seed netif_misc rx-64k
{ le 1 0; le 1 1; le 2 4000; le 4 4096; rxchunk $((0x10000 + 4095)) 4097; rxchunk -1 131071; } |
	seed netif_misc rx-cursor-mid-slot
# credit: start, bytes, usec, steps (op, a, b)
step() { le 1 "$1"; le 8 "$2"; le 4 "$3"; }
{ le 1 1; le 8 5000000000; le 8 10000; le 4 20000
  for ((i = 0; i < 7; i++)); do step 1 0 1500; done
  step 1 1000 1500; step 1 0 1000; step 2 19998999 1; step 1 1 10000; step 3 3600000000000 1; } |
	seed netif_misc credit-exhaust-refill-idle
{ le 1 1; le 8 5000000000; le 8 100; le 4 20000; step 1 0 65535; step 1 20000000 65535; } |
	seed netif_misc credit-64k-at-100-bytes
{ le 1 1; le 8 1000; le 8 -1; le 4 1; step 1 0 65535; step 1 1000 0; step 3 1000000 65535; } |
	seed netif_misc credit-rate-2^64
{ le 1 1; le 8 $((1 << 62)); le 8 10000; le 4 0xffffffff; step 1 0 10000; step 1 1 1
  step 3 $(((1 << 62) - 2)) 1; step 0 0 0; step 1 5 65535; } |
	seed netif_misc credit-longest-period-late
while IFS='|' read -r name value; do
	{ le 1 2; printf %s "$value"; } | seed netif_misc "parse-$name"
done <<'EOF'
rate|1000,20000
largest|18446744073709551615,4294967295
negative|-5,3
spaces| 7, 8
trailing-junk|12,34x
zero-bytes|0,5
EOF

# ---- region: a, b, device, lb, sector, count, new claim, claims ----
claim() { le 1 "$1"; le 8 "$2"; le 8 "$3"; }
G=$((1 << 21))	# 1 GiB in sectors
{ le 8 $((10 * G)); le 8 $((20 * G)); le 8 $((29 * G)); le 8 $G; le 8 $((500 * G)); le 4 8
  le 8 $((20 * G - 8)); le 8 8; le 1 $((4 | 8))
  claim 4 0 $((10 * G)); claim 0 $((29 * G)) $G; claim 1 $((10 * G)) $G; claim 0 0 0
  claim 4 $((30 * G)) 1; claim 4 $((30 * G - 1)) 1; claim 0 -1 1; claim 4 $((15 * G)) 1; } |
	seed region claims
{ le 8 -6; le 8 10; le 8 0; le 8 5; le 8 -1; le 4 1; le 8 -1; le 8 1; } | seed region wraps-2^64
{ le 8 $((MAXSECT - 8)); le 8 8; le 8 $((MAXSECT - 1)); le 8 1; le 8 -1; le 4 1; le 8 0; le 8 8; } |
	seed region ends-at-the-largest
{ le 8 0; le 8 $((MAXSECT + 1)); le 8 0; le 8 0; le 8 -1; le 4 1; le 8 -1; le 8 -1; } |
	seed region too-large
{ le 8 8; le 8 64; le 8 0; le 8 0; le 8 1000; le 4 0; le 8 63; le 8 1; } | seed region lb-0

echo "mkseeds: $(find "$dir" -name 'seed-*' | wc -l) seeds in $dir"
