{{/*
Fails rendering with every contradiction or omission in the values at once, so an operator
fixes them in one go instead of one per helm run.
*/}}
{{- define "yardmaster.validateValues" -}}
{{- $errors := list }}
{{- if not .Values.database.url }}
{{- $errors = append $errors "database.url is required: the JDBC URL of the external PostgreSQL (no database is bundled)" }}
{{- else if not (hasPrefix "jdbc:postgresql://" .Values.database.url) }}
{{- $errors = append $errors (printf "database.url must start with jdbc:postgresql:// (got %q)" .Values.database.url) }}
{{- end }}
{{- if not .Values.oidc.authServerUrl }}
{{- $errors = append $errors "oidc.authServerUrl is required: the Keycloak realm URL, e.g. https://sso.example.com/realms/yardmaster" }}
{{- end }}
{{- if .Values.existingSecret }}
{{- range $key, $value := dict "database.password" .Values.database.password "oidc.clientSecret" .Values.oidc.clientSecret "ssh.privateKey" .Values.ssh.privateKey "ssh.knownHosts" .Values.ssh.knownHosts "aws.accessKeyId" .Values.aws.accessKeyId "aws.secretAccessKey" .Values.aws.secretAccessKey }}
{{- if $value }}
{{- $errors = append $errors (printf "%s is set inline but existingSecret is also set: put it in the existing Secret or drop existingSecret" $key) }}
{{- end }}
{{- end }}
{{- else }}
{{- if not .Values.database.password }}
{{- $errors = append $errors "database.password is required (or name a Secret with key database-password in existingSecret)" }}
{{- end }}
{{- if not .Values.oidc.clientSecret }}
{{- $errors = append $errors "oidc.clientSecret is required (or name a Secret with key oidc-client-secret in existingSecret)" }}
{{- end }}
{{- if and .Values.ssh.privateKey (not .Values.ssh.knownHosts) }}
{{- $errors = append $errors "ssh.knownHosts is required with ssh.privateKey: Yardmaster verifies every host key and refuses unknown hosts" }}
{{- end }}
{{- end }}
{{- if and .Values.database.owner.existingSecret .Values.database.owner.password }}
{{- $errors = append $errors "database.owner.password is set inline but database.owner.existingSecret is also set: choose one" }}
{{- else if and (not .Values.database.owner.existingSecret) (not .Values.database.owner.password) }}
{{- $errors = append $errors "database.owner.password is required (or name a Secret with key database-password in database.owner.existingSecret): Flyway migrates as the schema owner" }}
{{- end }}
{{- if eq .Values.database.owner.username .Values.database.username }}
{{- $errors = append $errors (printf "database.username and database.owner.username are both %q: the console must run as a role that does not own the schema, or the audit log proves nothing against it" .Values.database.username) }}
{{- end }}
{{- if lt (int .Values.replicaCount) 1 }}
{{- $errors = append $errors "replicaCount must be at least 1" }}
{{- end }}
{{- if and .Values.podDisruptionBudget.enabled (ge (int .Values.podDisruptionBudget.minAvailable) (int .Values.replicaCount)) (gt (int .Values.replicaCount) 0) }}
{{- $errors = append $errors (printf "podDisruptionBudget.minAvailable (%d) must be lower than replicaCount (%d), or no node could ever be drained" (int .Values.podDisruptionBudget.minAvailable) (int .Values.replicaCount)) }}
{{- end }}
{{- if and .Values.ingress.enabled (not .Values.ingress.host) }}
{{- $errors = append $errors "ingress.host is required when ingress.enabled is true" }}
{{- end }}
{{- if and .Values.ingress.tls.enabled (not .Values.ingress.tls.secretName) }}
{{- $errors = append $errors "ingress.tls.secretName is required when ingress.tls.enabled is true" }}
{{- end }}
{{- if and .Values.aws.irsaRoleArn (or .Values.aws.accessKeyId .Values.aws.secretAccessKey) }}
{{- $errors = append $errors "aws.irsaRoleArn and static AWS keys (aws.accessKeyId/secretAccessKey) are mutually exclusive: choose one way to give Yardmaster AWS credentials" }}
{{- end }}
{{- if ne (empty .Values.aws.accessKeyId) (empty .Values.aws.secretAccessKey) }}
{{- $errors = append $errors "aws.accessKeyId and aws.secretAccessKey go together: set both or neither" }}
{{- end }}
{{- if and .Values.aws.enabled (not .Values.aws.region) }}
{{- $errors = append $errors "aws.region is required when aws.enabled is true" }}
{{- end }}
{{- if and (eq .Values.repo.mode "ssh") (not .Values.repo.host) }}
{{- $errors = append $errors "repo.host is required when repo.mode is ssh (the yum repo server Yardmaster promotes on)" }}
{{- end }}
{{- if lt (int .Values.terminationGracePeriodSeconds) 20 }}
{{- $errors = append $errors "terminationGracePeriodSeconds must be at least 20: a replica needs time to hand its rolls over" }}
{{- end }}
{{- if gt (mul (int .Values.replicaCount) (int .Values.database.maxPoolSize)) (int .Values.database.maxConnections) }}
{{- $errors = append $errors (printf "replicaCount (%d) x database.maxPoolSize (%d) = %d connections exceed database.maxConnections (%d): lower the pool or raise PostgreSQL's max_connections (see README, Sizing)" (int .Values.replicaCount) (int .Values.database.maxPoolSize) (mul (int .Values.replicaCount) (int .Values.database.maxPoolSize)) (int .Values.database.maxConnections)) }}
{{- end }}
{{- if gt (int .Values.rolls.maxParallelism) (int .Values.ssh.maxSessions) }}
{{- $errors = append $errors (printf "rolls.maxParallelism (%d) exceeds ssh.maxSessions (%d): one roll could wait for SSH sessions of its own replica" (int .Values.rolls.maxParallelism) (int .Values.ssh.maxSessions)) }}
{{- end }}
{{- if $errors }}
{{- fail (printf "\n\nYardmaster values are not valid:\n  - %s\n" (join "\n  - " $errors)) }}
{{- end }}
{{- end }}
