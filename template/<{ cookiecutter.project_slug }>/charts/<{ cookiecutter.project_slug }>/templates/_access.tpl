{{/* RBAC rules shared by the roles (templates/rbac.yaml). */}}

{{/* Read access to the release's objects. Never secrets (policy ACC-003). */}}
{{- define "access.readRules" -}}
- apiGroups: [""]
  resources: [pods, services, endpoints, configmaps, events, serviceaccounts, resourcequotas, limitranges]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments, replicasets]
  verbs: [get, list, watch]
- apiGroups: [batch]
  resources: [jobs, cronjobs]
  verbs: [get, list, watch]
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, list, watch]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch]
- apiGroups: [networking.k8s.io]
  resources: [ingresses, networkpolicies]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
- apiGroups: [external-secrets.io]
  resources: [externalsecrets, secretstores]
  verbs: [get, list, watch]
- apiGroups: [autoscaling.k8s.io]
  resources: [verticalpodautoscalers]
  verbs: [get, list, watch]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings]
  verbs: [get, list, watch]
{{- end }}

{{/* Operations on top of reading: restart (rollout restart patches the Deployment), scale, logs. */}}
{{- define "access.operateRules" -}}
- apiGroups: [""]
  resources: [pods/log]
  verbs: [get]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [patch]
- apiGroups: [apps]
  resources: [deployments/scale]
  verbs: [get, update, patch]
{{- end }}

{{/* Labels of the just-in-time cleanup's objects. */}}
{{- define "access.cleanupLabels" -}}
{{ include "app.labels" . }}
app.kubernetes.io/component: access-cleanup
{{- end }}
