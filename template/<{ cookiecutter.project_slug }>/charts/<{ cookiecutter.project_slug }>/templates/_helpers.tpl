{{/* Names, labels and the pieces every workload of the chart shares. */}}

{{- define "app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "app.labels" -}}
helm.sh/chart: {{ include "app.chart" . }}
{{ include "app.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ include "app.name" . }}
{{ include "app.costLabels" . }}
{{- end }}

{{/* Selector labels of the service's pods (the component keeps Job and test pods out). */}}
{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "app.serverSelectorLabels" -}}
{{ include "app.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{- define "app.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "app.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name: give the name of the existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository[:tag][@digest]; the tag defaults to appVersion. */}}
{{- define "app.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if eq (toString $tag) "latest" }}
{{- fail "image.tag: 'latest' is mutable; pin an immutable tag (e.g. 1.4.2) and image.digest" }}
{{- end }}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}:{{ $tag }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ $tag }}
{{- end }}
{{- end }}

{{/*
The Secrets the service reads, as a JSON object: Secret name suffix -> {file key: remoteKeys field}.
Each Secret is owned by one ExternalSecret (or, in local development, created from values) and all
of them are projected into /var/run/secrets/app/. Only what the service uses is listed.
*/}}
{{- define "app.secretGroups" -}}
{{- $groups := dict }}
{{- if .Values.database.enabled }}
{{- $_ := set $groups "database" (dict "database-url" "databaseUrl") }}
{{- end }}
{{- if .Values.slack.enabled }}
{{- $_ := set $groups "slack" (dict "slack-bot-token" "slackBotToken" "slack-signing-secret" "slackSigningSecret" "slack-signing-secret-previous" "slackSigningSecretPrevious") }}
{{- end }}
{{- toJson $groups }}
{{- end }}

{{/* Name of the store the ExternalSecrets read from. */}}
{{- define "app.secretStoreName" -}}
{{- if .Values.externalSecrets.store.create }}
{{- include "app.fullname" . }}
{{- else }}
{{- required "externalSecrets.store.name: name the existing SecretStore or ClusterSecretStore when externalSecrets.store.create is false" .Values.externalSecrets.store.name }}
{{- end }}
{{- end }}

{{/* True when the service reads any secret. */}}
{{- define "app.hasSecrets" -}}
{{- if or .Values.database.enabled .Values.slack.enabled }}true{{- end }}
{{- end }}

{{/* Pod-level settings shared by the Deployment, the migration Job and the test pod. */}}
{{- define "app.podSecurity" -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end }}

{{/* Labels that put a pod in or out of the mesh. */}}
{{- define "app.meshPodLabels" -}}
{{- if .Values.mesh.enabled }}
sidecar.istio.io/inject: "true"
{{- end }}
{{- end }}

{{/* The cert-manager annotation for the configured issuer. */}}
{{- define "app.issuerAnnotation" -}}
{{- if eq .Values.ingress.certManager.issuerKind "Issuer" -}}
cert-manager.io/issuer: {{ .Values.ingress.certManager.issuerName | quote }}
{{- else -}}
cert-manager.io/cluster-issuer: {{ .Values.ingress.certManager.issuerName | quote }}
{{- end }}
{{- end }}

{{/* Cross-field checks that a JSON schema cannot express clearly. */}}
{{- define "app.validate" -}}
{{- if and .Values.localSecret.enabled (ne .Values.environment "dev") }}
{{- fail (printf "localSecret.enabled: a Secret from values is for local development only, but environment is %q; use externalSecrets (set localSecret.enabled=false)" .Values.environment) }}
{{- end }}
{{- if and (include "app.hasSecrets" .) (not .Values.externalSecrets.enabled) (not .Values.localSecret.enabled) }}
{{- fail "externalSecrets.enabled: the service reads secrets (database and/or Slack); enable externalSecrets, or localSecret for local development" }}
{{- end }}
{{- if and .Values.externalSecrets.enabled .Values.localSecret.enabled }}
{{- fail "localSecret.enabled and externalSecrets.enabled are both true: both would own the same Secret; choose one" }}
{{- end }}
{{- if and .Values.migration.enabled (not .Values.database.enabled) }}
{{- fail "migration.enabled: the migration Job needs a database; set database.enabled=true or migration.enabled=false" }}
{{- end }}
{{- if and (eq .Values.networkPolicy.egress.slack.mode "egressGateway") .Values.slack.enabled (not .Values.mesh.enabled) }}
{{- fail "networkPolicy.egress.slack.mode: egressGateway needs the mesh (mesh.enabled=true); use cidr or external without a mesh" }}
{{- end }}
{{- end }}

{{/*
Annotations of the migration hook resources: a Helm pre-install/pre-upgrade hook and an Argo CD
PreSync hook, ordered by weight (service account, store, secret, network policy, then the Job).
*/}}
{{- define "app.migrationHook" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: {{ . | quote }}
helm.sh/hook-delete-policy: before-hook-creation
argocd.argoproj.io/hook: PreSync
argocd.argoproj.io/sync-wave: {{ . | quote }}
argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
{{- end }}

{{/* Labels of the migration pods and the hook resources that serve them. */}}
{{- define "app.migrationLabels" -}}
{{ include "app.labels" . }}
app.kubernetes.io/component: migration
{{- end }}

{{/* Labels of the database rotation CronJob and its objects. */}}
{{- define "app.rotationLabels" -}}
{{ include "app.labels" . }}
app.kubernetes.io/component: secret-rotation
{{- end }}

{{/* True when the service connects to PostgreSQL with a cert-manager client certificate. */}}
{{- define "app.databaseClientTLS" -}}
{{- if and .Values.database.enabled .Values.database.tls.clientCertificate.enabled }}true{{- end }}
{{- end }}

{{/*
The client certificate's Secret, projected read-only at /var/run/secrets/database-client/ in the
server and migration pods (tls.crt, tls.key, ca.crt): a volume of its own, since nothing can be
mounted inside the read-only secrets volume.
*/}}
{{- define "app.databaseClientTLSVolume" -}}
- name: database-client-tls
  projected:
    defaultMode: 0440
    sources:
      - secret:
          name: {{ include "app.fullname" . }}-database-client-tls
{{- end }}
