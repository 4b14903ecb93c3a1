{{/* The server pod, shared by the Deployment and the Argo Rollouts Rollout (rollout.enabled). */}}
{{- define "app.podTemplate" -}}
metadata:
  annotations:
    checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
    {{- if .Values.mesh.enabled }}
    # Merged Prometheus metrics stay on the app's port; the sidecar starts before the app.
    prometheus.io/scrape: "true"
    prometheus.io/port: "8000"
    prometheus.io/path: /metrics
    proxy.istio.io/config: '{"holdApplicationUntilProxyStarts": true}'
    # The proxy's resources, pinned so that the namespace quota (templates/_finops.tpl) counts them.
    sidecar.istio.io/proxyCPU: {{ .Values.finops.meshProxyResources.requests.cpu | quote }}
    sidecar.istio.io/proxyCPULimit: {{ .Values.finops.meshProxyResources.limits.cpu | quote }}
    sidecar.istio.io/proxyMemory: {{ .Values.finops.meshProxyResources.requests.memory | quote }}
    sidecar.istio.io/proxyMemoryLimit: {{ .Values.finops.meshProxyResources.limits.memory | quote }}
    {{- end }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
    app.kubernetes.io/component: server
    {{- include "app.meshPodLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "app.serviceAccountName" . }}
  {{- include "app.podSecurity" . | nindent 2 }}
  terminationGracePeriodSeconds: {{ add (int .Values.app.drainSeconds) 20 }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  containers:
    - name: app
      image: {{ include "app.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args: ["serve"]
      ports:
        - name: http
          containerPort: 8000
          protocol: TCP
      envFrom:
        - configMapRef:
            name: {{ include "app.fullname" . }}
        {{- with .Values.envFrom }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        - name: OTEL_RESOURCE_ATTRIBUTES
          value: "k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE),deployment.environment={{ .Values.environment }}"
        {{- with .Values.env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      startupProbe:
        httpGet:
          path: {{ .Values.probes.startup.path }}
          port: http
        periodSeconds: {{ .Values.probes.startup.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.startup.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.startup.failureThreshold }}
      readinessProbe:
        httpGet:
          path: {{ .Values.probes.readiness.path }}
          port: http
        periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
      livenessProbe:
        httpGet:
          path: {{ .Values.probes.liveness.path }}
          port: http
        periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if include "app.hasSecrets" . }}
        - name: secrets
          mountPath: /var/run/secrets/app
          readOnly: true
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        medium: Memory
        sizeLimit: {{ .Values.tmpSizeLimit }}
    {{- if include "app.hasSecrets" . }}
    - name: secrets
      projected:
        defaultMode: 0440
        sources:
          {{- range $group, $keys := include "app.secretGroups" . | fromJson }}
          - secret:
              name: {{ include "app.fullname" $ }}-{{ $group }}
          {{- end }}
    {{- end }}
  {{- if .Values.topologySpread.enabled }}
  topologySpreadConstraints:
    - maxSkew: {{ .Values.topologySpread.maxSkew }}
      topologyKey: topology.kubernetes.io/zone
      whenUnsatisfiable: {{ .Values.topologySpread.zoneWhenUnsatisfiable }}
      labelSelector:
        matchLabels:
          {{- include "app.serverSelectorLabels" . | nindent 10 }}
      matchLabelKeys:
        - pod-template-hash
    - maxSkew: {{ .Values.topologySpread.maxSkew }}
      topologyKey: kubernetes.io/hostname
      whenUnsatisfiable: {{ .Values.topologySpread.nodeWhenUnsatisfiable }}
      labelSelector:
        matchLabels:
          {{- include "app.serverSelectorLabels" . | nindent 10 }}
      matchLabelKeys:
        - pod-template-hash
  {{- end }}
  {{- if or (ne .Values.podAntiAffinity "none") .Values.affinity }}
  affinity:
    {{- if eq .Values.podAntiAffinity "hard" }}
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "app.serverSelectorLabels" . | nindent 14 }}
    {{- else if eq .Values.podAntiAffinity "soft" }}
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                {{- include "app.serverSelectorLabels" . | nindent 16 }}
    {{- end }}
    {{- with .Values.affinity }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
