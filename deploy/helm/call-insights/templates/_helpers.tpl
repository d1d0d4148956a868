{{/* Names, labels and the numbers several templates share. */}}

{{- define "call-insights.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "call-insights.fullname" -}}
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

{{- define "call-insights.selectorLabels" -}}
app.kubernetes.io/name: {{ include "call-insights.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "call-insights.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "call-insights.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "call-insights.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "call-insights.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "call-insights.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret the pods read their secret settings from. */}}
{{- define "call-insights.secretName" -}}
{{- if .Values.secrets.create }}
{{- include "call-insights.fullname" . }}
{{- else }}
{{- required "secrets.existingSecret: name the Secret that holds DATABASE_URL (and GEMINI_API_KEY, ...), or set secrets.create=true with secrets.values" .Values.secrets.existingSecret }}
{{- end }}
{{- end }}

{{/* The settings the service reads as secrets (SecretStr in consumer/settings.py); true = required. */}}
{{- define "call-insights.secretSettings" -}}
DATABASE_URL: true
GEMINI_API_KEY: false
KAFKA_SASL_PASSWORD: false
KAFKA_SSL_KEY_PASSWORD: false
API_KEYS: false
{{- end }}

{{- define "call-insights.httpPort" -}}
{{- .Values.config.HTTP_PORT | default 8000 | int }}
{{- end }}

{{- define "call-insights.offlineWorkers" -}}
{{- .Values.config.OFFLINE_WORKERS | default 0 | int }}
{{- end }}

{{/* SHUTDOWN_TIMEOUT_S rounded up to whole seconds (the service's default is 30). */}}
{{- define "call-insights.shutdownTimeoutSeconds" -}}
{{- $value := .Values.config.SHUTDOWN_TIMEOUT_S | default 30 | toString | float64 }}
{{- ceil $value | int }}
{{- end }}

{{/* How long the sidecar's requests may take to finish once the drain ends (web.AppRunner in
consumer/app.py waits up to 10 s). */}}
{{- define "call-insights.httpShutdownSeconds" -}}
10
{{- end }}

{{/* The least grace period that covers preStop, the drain, the sidecar's shutdown and the margin. */}}
{{- define "call-insights.minimumGraceSeconds" -}}
{{- $preStop := int .Values.drain.preStopSleepSeconds }}
{{- $drain := int (include "call-insights.shutdownTimeoutSeconds" .) }}
{{- $http := int (include "call-insights.httpShutdownSeconds" .) }}
{{- add $preStop $drain $http (int .Values.drain.marginSeconds) }}
{{- end }}

{{- define "call-insights.terminationGraceSeconds" -}}
{{- $minimum := int (include "call-insights.minimumGraceSeconds" .) }}
{{- $set := .Values.drain.terminationGracePeriodSeconds }}
{{- if kindIs "invalid" $set }}
{{- $minimum }}
{{- else if lt (int $set) $minimum }}
{{- fail (printf "drain.terminationGracePeriodSeconds=%d is shorter than preStop (%d s) + SHUTDOWN_TIMEOUT_S (%d s) + the sidecar's shutdown (%s s) + drain.marginSeconds (%d s) = %d s: a pod would be killed mid-drain" (int $set) (int .Values.drain.preStopSleepSeconds) (int (include "call-insights.shutdownTimeoutSeconds" .)) (include "call-insights.httpShutdownSeconds" .) (int .Values.drain.marginSeconds) $minimum) }}
{{- else }}
{{- int $set }}
{{- end }}
{{- end }}

{{/* CPU request: as set, else the service process plus each offline worker process. */}}
{{- define "call-insights.cpuRequest" -}}
{{- $requests := .Values.resources.requests | default dict }}
{{- if $requests.cpu }}
{{- $requests.cpu }}
{{- else }}
{{- $workers := int (include "call-insights.offlineWorkers" .) }}
{{- printf "%dm" (add (int .Values.cpuRequest.serviceMillicores) (mul $workers (int .Values.cpuRequest.perOfflineWorkerMillicores))) }}
{{- end }}
{{- end }}

{{- define "call-insights.maxReplicaCount" -}}
{{- $max := .Values.autoscaling.maxReplicaCount }}
{{- if kindIs "invalid" $max }}
{{- int .Values.kafka.partitions }}
{{- else }}
{{- int $max }}
{{- end }}
{{- end }}

{{/* Values that cannot work, refused with the reason. */}}
{{- define "call-insights.validate" -}}
{{- $partitions := int .Values.kafka.partitions }}
{{- if lt $partitions 1 }}
{{- fail "kafka.partitions must be the input topic's partition count (1 or more)" }}
{{- end }}
{{- if .Values.autoscaling.enabled }}
{{- $max := int (include "call-insights.maxReplicaCount" .) }}
{{- if gt $max $partitions }}
{{- fail (printf "autoscaling.maxReplicaCount=%d exceeds kafka.partitions=%d: instances beyond the input topic's partition count get no partition and only idle" $max $partitions) }}
{{- end }}
{{- if or (lt (int .Values.autoscaling.minReplicaCount) 1) (gt (int .Values.autoscaling.minReplicaCount) $max) }}
{{- fail (printf "autoscaling.minReplicaCount=%d must be between 1 and maxReplicaCount=%d" (int .Values.autoscaling.minReplicaCount) $max) }}
{{- end }}
{{- else if gt (int .Values.replicaCount) $partitions }}
{{- fail (printf "replicaCount=%d exceeds kafka.partitions=%d: instances beyond the input topic's partition count get no partition and only idle" (int .Values.replicaCount) $partitions) }}
{{- end }}
{{- range $name, $_ := include "call-insights.secretSettings" . | fromYaml }}
{{- if hasKey $.Values.config $name }}
{{- fail (printf "config.%s is a secret: put it in the Secret (secrets.existingSecret, or secrets.values with secrets.create=true), not in the ConfigMap" $name) }}
{{- end }}
{{- end }}
{{- if hasKey .Values.config "KAFKA_TOPIC_PARTITIONS" }}
{{- fail "config.KAFKA_TOPIC_PARTITIONS comes from kafka.partitions: set that instead" }}
{{- end }}
{{- if eq (.Values.config.AUTH_PROTECT_OPS | default "false" | toString | lower) "true" }}
{{- fail "config.AUTH_PROTECT_OPS=true would make /live and /ready ask for an API key, which Kubernetes probes cannot send" }}
{{- end }}
{{- if has (.Values.config.HTTP_HOST | default "0.0.0.0" | toString) (list "127.0.0.1" "localhost" "::1") }}
{{- fail "config.HTTP_HOST must not be a loopback address: the kubelet probes the pod's own IP" }}
{{- end }}
{{- if .Values.secrets.create }}
{{- if not (index .Values.secrets.values "DATABASE_URL") }}
{{- fail "secrets.create=true needs secrets.values.DATABASE_URL" }}
{{- end }}
{{- end }}
{{- end }}
