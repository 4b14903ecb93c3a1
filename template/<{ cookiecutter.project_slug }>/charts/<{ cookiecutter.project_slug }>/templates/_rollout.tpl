{{/* Argo Rollouts delivery of the server (rollout.enabled; docs/delivery.md). */}}

{{/*
The Rollout's strategy: a canary (traffic split by the VirtualService and the DestinationRule
subsets with the mesh, by replica count without it) or a blue-green, gated by the SLO analysis
(templates/analysistemplate.yaml).
*/}}
{{- define "app.rolloutStrategy" -}}
{{- $name := include "app.fullname" . }}
{{- $analysis := dict "templates" (list (dict "templateName" (printf "%s-slo" $name))) "args" (list (dict "name" "pod-template-hash" "valueFrom" (dict "podTemplateHashValue" "Latest"))) }}
{{- if eq .Values.rollout.strategy "blueGreen" }}
blueGreen:
  activeService: {{ $name }}
  previewService: {{ $name }}-preview
  autoPromotionEnabled: {{ .Values.rollout.blueGreen.autoPromotionEnabled }}
  scaleDownDelaySeconds: {{ .Values.rollout.blueGreen.scaleDownDelaySeconds }}
  # The preview must meet the SLO before it becomes active.
  prePromotionAnalysis:
    {{- toYaml $analysis | nindent 4 }}
{{- else }}
canary:
  {{- if .Values.mesh.enabled }}
  trafficRouting:
    istio:
      virtualService:
        name: {{ $name }}
        routes:
          {{- range $route := include "app.meshRouteNames" . | fromJsonArray }}
          - {{ $route }}
          {{- end }}
      destinationRule:
        name: {{ $name }}
        canarySubsetName: canary
        stableSubsetName: stable
  {{- end }}
  # Background analysis from the first step: a burn of the error budget aborts and rolls back.
  analysis:
    {{- toYaml $analysis | nindent 4 }}
    startingStep: 1
  steps:
    {{- toYaml .Values.rollout.canary.steps | nindent 4 }}
    {{- if .Values.rollout.canary.manualPromotion }}
    # The manual gate: waits here until `kubectl argo rollouts promote {{ $name }}`.
    - pause: {}
    {{- end }}
{{- end }}
{{- end }}
