{{/* NetworkPolicy peers shared by the policies of the chart. */}}

{{/* A peer in another namespace: args (list $namespace $podLabels). */}}
{{- define "app.peer" -}}
{{- $ns := index . 0 -}}
{{- $labels := index . 1 -}}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ $ns }}
  podSelector:
    matchLabels:
      {{- toYaml $labels | nindent 6 }}
{{- end }}

{{/* Egress to the cluster DNS, which every pod needs. */}}
{{- define "app.egressDNS" -}}
- to:
    {{- include "app.peer" (list .Values.networkPolicy.egress.dns.namespace .Values.networkPolicy.egress.dns.podLabels) | nindent 4 }}
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- end }}

{{/* Egress to the database. */}}
{{- define "app.egressDatabase" -}}
- to:
    {{- range .Values.database.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    - protocol: TCP
      port: {{ .Values.database.port }}
{{- end }}

{{/* Egress from a sidecar to istiod (xDS and certificates). */}}
{{- define "app.egressIstiod" -}}
- to:
    {{- include "app.peer" (list .Values.mesh.istiod.namespace .Values.mesh.istiod.podLabels) | nindent 4 }}
  ports:
    - protocol: TCP
      port: 15012
{{- end }}
