{{/*
Expand the name of the chart.
*/}}
{{- define "yardmaster.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name (63 characters, the DNS label limit).
If the release name contains the chart name it is used as the full name.
*/}}
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

{{/*
Chart name and version as used by the chart label.
*/}}
{{- define "yardmaster.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "yardmaster.labels" -}}
helm.sh/chart: {{ include "yardmaster.chart" . }}
{{ include "yardmaster.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels
*/}}
{{- define "yardmaster.selectorLabels" -}}
app.kubernetes.io/name: {{ include "yardmaster.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the service account to use
*/}}
{{- define "yardmaster.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "yardmaster.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The Secret holding credentials: the user's existingSecret or the one this chart renders.
*/}}
{{- define "yardmaster.secretName" -}}
{{- default (include "yardmaster.fullname" .) .Values.existingSecret }}
{{- end }}

{{/*
The image reference; the tag defaults to the chart's appVersion.
*/}}
{{- define "yardmaster.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
JDBC URL of the external PostgreSQL.
*/}}
{{- define "yardmaster.jdbcUrl" -}}
{{- if .Values.database.jdbcUrl }}
{{- .Values.database.jdbcUrl }}
{{- else }}
{{- printf "jdbc:postgresql://%s:%v/%s" .Values.database.host .Values.database.port .Values.database.name }}
{{- with .Values.database.parameters }}?{{ . }}{{ end }}
{{- end }}
{{- end }}

{{/*
Seconds Quarkus waits for in-flight work (running hosts, the roll hand-over) after SIGTERM.
*/}}
{{- define "yardmaster.shutdownTimeout" -}}
{{- sub (sub (int .Values.terminationGracePeriodSeconds) (int .Values.shutdown.preStopSleepSeconds)) (int .Values.shutdown.marginSeconds) }}
{{- end }}

{{/*
Whether static AWS keys are configured inline.
*/}}
{{- define "yardmaster.awsStaticKeys" -}}
{{- if or .Values.aws.accessKeyId .Values.aws.secretAccessKey }}true{{ end }}
{{- end }}

{{/*
Fails rendering with a clear message when values contradict each other. Every message starts
with "yardmaster:" and names the values to change.
*/}}
{{- define "yardmaster.validateValues" -}}
{{- $messages := list }}
{{- $v := .Values }}
{{- if $v.existingSecret }}
  {{- range $key, $value := dict "database.password" $v.database.password "oidc.clientSecret" $v.oidc.clientSecret "ssh.privateKey" $v.ssh.privateKey "ssh.knownHosts" $v.ssh.knownHosts "aws.accessKeyId" $v.aws.accessKeyId "aws.secretAccessKey" $v.aws.secretAccessKey }}
    {{- if $value }}
      {{- $messages = append $messages (printf "existingSecret (%s) and %s are both set: put the value into the existing secret and unset %s, or unset existingSecret" $v.existingSecret $key $key) }}
    {{- end }}
  {{- end }}
{{- else }}
  {{- if not $v.database.password }}
    {{- $messages = append $messages "database.password is empty: set it or name a Secret with the key db-password in existingSecret" }}
  {{- end }}
  {{- if not $v.oidc.clientSecret }}
    {{- $messages = append $messages "oidc.clientSecret is empty: set it or name a Secret with the key oidc-client-secret in existingSecret" }}
  {{- end }}
  {{- if not (and $v.ssh.privateKey $v.ssh.knownHosts) }}
    {{- $messages = append $messages "ssh.privateKey and ssh.knownHosts are both required (rolls log in over SSH and verify host keys): set them or name a Secret with the keys ssh-private-key and ssh-known-hosts in existingSecret" }}
  {{- end }}
{{- end }}
{{- if and (not $v.database.host) (not $v.database.jdbcUrl) }}
  {{- $messages = append $messages "database.host is empty: Yardmaster needs an external PostgreSQL (there is no bundled database)" }}
{{- end }}
{{- if not $v.oidc.authServerUrl }}
  {{- $messages = append $messages "oidc.authServerUrl is empty: set the Keycloak realm URL, e.g. https://sso.example.com/realms/yardmaster" }}
{{- end }}
{{- if and (gt (int $v.replicaCount) 1) (regexMatch "^jdbc:(h2|hsqldb|derby):(mem:|memory:)" $v.database.jdbcUrl) }}
  {{- $messages = append $messages (printf "replicaCount is %v but database.jdbcUrl is an in-memory database: every pod would have its own state; use the shared PostgreSQL or replicaCount=1" $v.replicaCount) }}
{{- end }}
{{- if and $v.ingress.enabled (not $v.ingress.host) }}
  {{- $messages = append $messages "ingress.enabled is true but ingress.host is empty: set the console's public host name" }}
{{- end }}
{{- if and (include "yardmaster.awsStaticKeys" .) $v.aws.irsa.roleArn }}
  {{- $messages = append $messages "aws.accessKeyId/aws.secretAccessKey and aws.irsa.roleArn are both set: use either static keys or IRSA, not both" }}
{{- else if and (include "yardmaster.awsStaticKeys" .) (not (and $v.aws.accessKeyId $v.aws.secretAccessKey)) }}
  {{- $messages = append $messages "aws.accessKeyId and aws.secretAccessKey must be set together" }}
{{- end }}
{{- if and $v.aws.irsa.roleArn (not $v.serviceAccount.create) }}
  {{- $messages = append $messages "aws.irsa.roleArn needs serviceAccount.create=true (the role is an annotation on the chart's ServiceAccount); with your own ServiceAccount annotate it yourself and unset aws.irsa.roleArn" }}
{{- end }}
{{- if and $v.podDisruptionBudget.enabled (ge (int $v.podDisruptionBudget.minAvailable) (int $v.replicaCount)) }}
  {{- $messages = append $messages (printf "podDisruptionBudget.minAvailable (%v) must be below replicaCount (%v), or no node could ever be drained" $v.podDisruptionBudget.minAvailable $v.replicaCount) }}
{{- end }}
{{- if lt (int (include "yardmaster.shutdownTimeout" .)) 1 }}
  {{- $messages = append $messages (printf "terminationGracePeriodSeconds (%v) must exceed shutdown.preStopSleepSeconds + shutdown.marginSeconds (%v) to leave time to hand rolls over" $v.terminationGracePeriodSeconds (add $v.shutdown.preStopSleepSeconds $v.shutdown.marginSeconds)) }}
{{- end }}
{{- if $messages }}
{{- fail (printf "\n\nyardmaster: invalid values:\n- %s\n" (join "\n- " $messages)) }}
{{- end }}
{{- end }}
