{{/* Istio pieces shared by the mesh resources and the Rollout (docs/mesh.md). */}}

{{/* Names of the VirtualService's HTTP routes, in match order, as a JSON list. */}}
{{- define "app.meshRouteNames" -}}
{{- $names := list }}
{{- range $route := list "slack" "read" "write" }}
{{- if hasKey $.Values.mesh.routes $route }}
{{- $names = append $names $route }}
{{- end }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{/* The service's host name in the mesh. */}}
{{- define "app.meshHost" -}}
{{ include "app.fullname" . }}.{{ .Release.Namespace }}.svc.cluster.local
{{- end }}

{{/* The canary splits traffic through DestinationRule subsets (Rollout, canary, with the mesh). */}}
{{- define "app.meshCanary" -}}
{{- if and .Values.mesh.enabled .Values.rollout.enabled (eq .Values.rollout.strategy "canary") }}true{{ end }}
{{- end }}

{{/* The DestinationRule's traffic policy: mutual TLS and the circuit breaker. */}}
{{- define "app.meshTrafficPolicy" -}}
tls:
  mode: ISTIO_MUTUAL
connectionPool:
  tcp:
    maxConnections: {{ .Values.mesh.connectionPool.maxConnections }}
  http:
    http1MaxPendingRequests: {{ .Values.mesh.connectionPool.http1MaxPendingRequests }}
    http2MaxRequests: {{ .Values.mesh.connectionPool.http2MaxRequests }}
    maxRequestsPerConnection: {{ .Values.mesh.connectionPool.maxRequestsPerConnection }}
outlierDetection:
  {{- toYaml .Values.mesh.outlierDetection | nindent 2 }}
{{- end }}

{{/* The largest route-class bucket, the route's overall bucket (descriptors narrow it per class). */}}
{{- define "app.meshRateLimitMax" -}}
{{- $max := 1 }}
{{- range $bucket := .Values.mesh.rateLimit }}
{{- $max = max $max (int $bucket.maxTokens) }}
{{- end }}
{{- $max }}
{{- end }}
