{{/* Chart name, truncated to the 63 characters Kubernetes names allow. */}}
{{- define "neoengine-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release name, or release-chart when the release name does not contain the chart's. */}}
{{- define "neoengine-operator.fullname" -}}
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

{{- define "neoengine-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "neoengine-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "neoengine-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "neoengine-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "neoengine-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "neoengine-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret that holds the NeoEngine token: existingSecret, or the one this chart creates. */}}
{{- define "neoengine-operator.tokenSecretName" -}}
{{- if .Values.neoengine.existingSecret }}
{{- .Values.neoengine.existingSecret }}
{{- else }}
{{- printf "%s-token" (include "neoengine-operator.fullname" .) }}
{{- end }}
{{- end }}

{{- define "neoengine-operator.hasToken" -}}
{{- if or .Values.neoengine.existingSecret .Values.neoengine.token }}true{{- end }}
{{- end }}

{{- define "neoengine-operator.networkName" -}}
{{- printf "%s-network" (include "neoengine-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "neoengine-operator.neoengineUrl" -}}
{{- if .Values.neoengine.url }}
{{- .Values.neoengine.url }}
{{- else if .Values.network.enabled }}
{{- printf "http://%s.%s.svc:%d/v1" (include "neoengine-operator.networkName" .) .Release.Namespace (int .Values.network.port) }}
{{- else }}
{{- "https://api.neoengine.dev/v1" }}
{{- end }}
{{- end }}

{{- define "neoengine-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* True when the Prometheus Operator's API is served (ServiceMonitor, PrometheusRule). */}}
{{- define "neoengine-operator.hasMonitoringApi" -}}
{{- if and (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor") (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/PrometheusRule") }}true{{- end }}
{{- end }}

{{/* Hardened container security context shared by the operator and the network server. */}}
{{- define "neoengine-operator.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}
