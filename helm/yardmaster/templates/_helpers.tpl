{{/* Chart name, truncated to the 63 characters Kubernetes allows in a name. */}}
{{- define "yardmaster.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name; the release name alone when it already contains the chart name. */}}
{{- define "yardmaster.fullname" -}}
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

{{- define "yardmaster.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "yardmaster.labels" -}}
helm.sh/chart: {{ include "yardmaster.chart" . }}
{{ include "yardmaster.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "yardmaster.selectorLabels" -}}
app.kubernetes.io/name: {{ include "yardmaster.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "yardmaster.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "yardmaster.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding credentials: the user's existing one, or the one this chart makes. */}}
{{- define "yardmaster.secretName" -}}
{{- default (include "yardmaster.fullname" .) .Values.existingSecret }}
{{- end }}

{{/* Whether this chart renders its own Secret. */}}
{{- define "yardmaster.createSecret" -}}
{{- if not .Values.existingSecret }}true{{- end }}
{{- end }}

{{/* Whether SSH key material is available (inline or, by convention, in the existing Secret). */}}
{{- define "yardmaster.hasSsh" -}}
{{- if or .Values.existingSecret .Values.ssh.privateKey }}true{{- end }}
{{- end }}

{{/* The Secret holding the schema owner's password (Flyway, init container only). */}}
{{- define "yardmaster.ownerSecretName" -}}
{{- if .Values.database.owner.existingSecret }}{{ .Values.database.owner.existingSecret }}{{- else }}{{ include "yardmaster.fullname" . }}-owner{{- end }}
{{- end }}
