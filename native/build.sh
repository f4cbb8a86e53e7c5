#!/bin/sh
# Build the native engine (augury_native) into a virtualenv, in the release profile, with
# profile-guided optimisation where the toolchain can merge profiles (decision 0065):
#
#   1. an instrumented build (-Cprofile-generate) is installed and `python -m
#      bench.pgo_train` runs against it, writing raw counters;
#   2. llvm-profdata (rustup's llvm-tools component, the LLVM of this very rustc) merges them;
#   3. the final build (-Cprofile-use) is installed over the instrumented one.
#
# The PGO builds use target directories of their own (native/target/pgo-*), so they never
# invalidate the plain build that `cargo test` and `maturin develop` share. Without
# llvm-profdata, with AUGURY_NATIVE_PGO=0, or if any PGO step fails, the plain release
# build is installed instead and the reason printed: the engine is the same either way
# (the profile only steers layout, inlining and branch order; CI runs the differential
# and engine suites on whatever this installs).
#
# Usage: native/build.sh VENV   (run from the repository root; `make install` does)
set -eu

venv=$(cd "$1" && pwd)
bin="$venv/bin"
manifest=native/py/Cargo.toml
export VIRTUAL_ENV="$venv" PATH="$bin:$PATH"

plain() {
    echo "native/build.sh: $1; installing the plain release build"
    "$bin/maturin" develop --release -q -m "$manifest"
}

if [ "${AUGURY_NATIVE_PGO:-1}" = "0" ]; then
    plain "AUGURY_NATIVE_PGO=0"
    exit 0
fi
profdata=$(find "$(rustc --print sysroot)" -name llvm-profdata -type f 2>/dev/null | head -n 1)
if [ -z "$profdata" ]; then
    plain "no llvm-profdata in this toolchain (rustup component add llvm-tools adds it)"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=${RUSTFLAGS:-}
if CARGO_TARGET_DIR=native/target/pgo-generate RUSTFLAGS="$flags -Cprofile-generate=$work/raw" \
        "$bin/maturin" develop --release -q -m "$manifest" \
    && "$bin/python" -m bench.pgo_train >"$work/train.log" 2>&1 \
    && "$profdata" merge -o "$work/merged.profdata" "$work/raw" \
    && CARGO_TARGET_DIR=native/target/pgo-use RUSTFLAGS="$flags -Cprofile-use=$work/merged.profdata" \
        "$bin/maturin" develop --release -q -m "$manifest"; then
    echo "native/build.sh: installed the profile-guided release build"
else
    tail -n 20 "$work/train.log" 2>/dev/null || true
    plain "a profile-guided step failed"
fi
