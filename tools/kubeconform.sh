#!/usr/bin/env bash
# kubeconform with pavedroad's offline schemas: the one place that knows the flags.
#
#   tools/kubeconform.sh [kubeconform args...] FILE|DIR|-
#
# Strict (unknown fields are errors), offline (local schemas only: core Kubernetes from
# .tools/schemas/kubernetes, CRDs from .tools/schemas/crds), fails on a kind that has no schema.
# Schemas and kubeconform are installed by `make bootstrap` (tools/bootstrap.py).
# Environment: PAVEDROAD_TOOLS_DIR (default <repo>/.tools), PAVEDROAD_SCHEMAS (default
# $PAVEDROAD_TOOLS_DIR/schemas), PAVEDROAD_KUBERNETES_VERSION (default: the pinned version
# recorded by the bootstrap in $PAVEDROAD_SCHEMAS/kubernetes-version).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="${PAVEDROAD_TOOLS_DIR:-$repo_root/.tools}"
schemas="${PAVEDROAD_SCHEMAS:-$tools_dir/schemas}"
kubeconform="$tools_dir/bin/kubeconform"

if [[ ! -x "$kubeconform" ]]; then
    kubeconform="$(command -v kubeconform || true)"
fi
if [[ -z "$kubeconform" || ! -f "$schemas/kubernetes-version" ]]; then
    echo "tools/kubeconform.sh: kubeconform or its schemas are missing under $tools_dir;" \
         "run 'make bootstrap' (python3 tools/bootstrap.py)" >&2
    exit 2
fi
k8s_version="${PAVEDROAD_KUBERNETES_VERSION:-$(cat "$schemas/kubernetes-version")}"

exec "$kubeconform" \
    -strict \
    -summary \
    -kubernetes-version "$k8s_version" \
    -schema-location "$schemas/kubernetes/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "$@"
