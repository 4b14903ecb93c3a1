{{/*
FinOps arithmetic: resource quantities as numbers, and the namespace's worst case (every pod the
release can run at once, HPA maximum plus canary headroom) that sizes the ResourceQuota and the
LimitRange. Computed here from the same values as the workloads, so the quota cannot drift.
*/}}

{{/* A CPU quantity ("250m", "1", "1.5", 2) in millicores, rounded up. */}}
{{- define "finops.milliCPU" -}}
{{- $q := toString . -}}
{{- if regexMatch "^[0-9]+(\\.[0-9]+)?m$" $q -}}
{{- trimSuffix "m" $q | float64 | ceil | int -}}
{{- else if regexMatch "^[0-9]+(\\.[0-9]+)?$" $q -}}
{{- mulf (float64 $q) 1000 | ceil | int -}}
{{- else -}}
{{- fail (printf "finops: CPU quantity %q: use millicores (250m) or cores (1, 1.5)" $q) -}}
{{- end -}}
{{- end }}

{{/* A memory or storage quantity (Ki, Mi, Gi, Ti, or decimal k, M, G, T) in MiB, rounded up. */}}
{{- define "finops.mebibytes" -}}
{{- $q := toString . -}}
{{- $factors := dict "Ki" (divf 1 1024) "Mi" 1.0 "Gi" 1024.0 "Ti" 1048576.0 "k" (divf 1000 1048576) "M" (divf 1000000 1048576) "G" (divf 1000000000 1048576) "T" (divf 1000000000000 1048576) -}}
{{- $m := regexFindAll "^([0-9]+(\\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)$" $q 1 -}}
{{- if not $m -}}
{{- fail (printf "finops: memory/storage quantity %q: use Ki, Mi, Gi or Ti (for example 256Mi)" $q) -}}
{{- end -}}
{{- $unit := regexReplaceAll "^[0-9.]+" $q "" -}}
{{- $number := regexReplaceAll "[A-Za-z]+$" $q "" | float64 -}}
{{- mulf $number (get $factors $unit) | ceil | int -}}
{{- end }}

{{/*
The pods the release can run at the same time, as JSON [{"name", "count", "resources"}]: the server
at its maximum (HPA maxReplicas, or replicaCount) plus canary/surge headroom, and one of each
Job, CronJob and test pod. With the mesh, each meshed pod also runs the Istio proxy.
*/}}
{{- define "finops.podSets" -}}
{{- $v := .Values -}}
{{- $server := ternary (int $v.autoscaling.maxReplicas) (int $v.replicaCount) $v.autoscaling.enabled -}}
{{- $headroom := max 1 (divf (mul $server (int $v.finops.canaryHeadroomPercent)) 100 | ceil | int) -}}
{{- $serverPods := add $server $headroom -}}
{{- $sets := list (dict "name" "server" "count" $serverPods "resources" $v.resources) -}}
{{- $meshed := $serverPods -}}
{{- if $v.migration.enabled -}}
{{- $sets = append $sets (dict "name" "migration" "count" 1 "resources" $v.migration.resources) -}}
{{- end -}}
{{- if $v.tests.enabled -}}
{{- $sets = append $sets (dict "name" "test" "count" 1 "resources" $v.tests.resources) -}}
{{- $meshed = add $meshed 1 -}}
{{- end -}}
{{- if and $v.access.rbac.enabled $v.access.jit.cleanup.enabled -}}
{{- $sets = append $sets (dict "name" "jit-cleanup" "count" 1 "resources" $v.access.jit.cleanup.resources) -}}
{{- end -}}
{{- if $v.mesh.enabled -}}
{{- $sets = append $sets (dict "name" "istio-proxy" "count" $meshed "resources" $v.finops.meshProxyResources "sidecar" true) -}}
{{- end -}}
{{- toJson $sets -}}
{{- end }}

{{/*
Totals of the pod sets, as JSON {"requests": {...}, "limits": {...}, "max": {...}, "pods": n}:
cpu in millicores, memory and ephemeral-storage in MiB; "max" is the largest single container.
*/}}
{{- define "finops.totals" -}}
{{- $totals := dict "requests" (dict "cpu" 0 "memory" 0 "ephemeral-storage" 0) "limits" (dict "cpu" 0 "memory" 0 "ephemeral-storage" 0) "max" (dict "cpu" 0 "memory" 0 "ephemeral-storage" 0) "pods" 0 -}}
{{- range $set := include "finops.podSets" . | fromJsonArray -}}
{{- $count := int $set.count -}}
{{- if not $set.sidecar -}}
{{- $_ := set $totals "pods" (add $totals.pods $count) -}}
{{- end -}}
{{- range $kind := list "requests" "limits" -}}
{{- $given := index $set.resources $kind | default dict -}}
{{- range $resource := list "cpu" "memory" "ephemeral-storage" -}}
{{- $q := required (printf "finops: %s containers need resources.%s.%s (the quota counts it)" $set.name $kind $resource) (index $given $resource) -}}
{{- $n := 0 -}}
{{- if eq $resource "cpu" -}}
{{- $n = include "finops.milliCPU" $q | int -}}
{{- else -}}
{{- $n = include "finops.mebibytes" $q | int -}}
{{- end -}}
{{- $sum := index $totals $kind -}}
{{- $_ := set $sum $resource (add (index $sum $resource) (mul $n $count)) -}}
{{- if and (eq $kind "limits") (gt $n (index $totals.max $resource | int)) -}}
{{- $_ := set $totals.max $resource $n -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $totals -}}
{{- end }}

{{/* Cost allocation labels (team, service, cost-center), the names of Terraform's default_tags. */}}
{{- define "app.costLabels" -}}
team: {{ required "costLabels.team: set the cost allocation label (Terraform tag team)" .Values.costLabels.team | quote }}
service: {{ required "costLabels.service: set the cost allocation label (Terraform tag service)" .Values.costLabels.service | quote }}
cost-center: {{ required "costLabels.cost-center: set the cost allocation label (Terraform tag cost-center)" (index .Values.costLabels "cost-center") | quote }}
{{- end }}
