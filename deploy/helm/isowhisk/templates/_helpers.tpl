{{/*
Names, labels and the environment both roles share. The variables are shared/config.ts's; the Redis mode
variables and ISOWHISK_CONTROLLER_ID=auto are described in docs/operations.md.
*/}}

{{- define "isowhisk.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "isowhisk.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "isowhisk.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "isowhisk.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one role: (dict "root" $ "component" "controller"). */}}
{{- define "isowhisk.selectorLabels" -}}
app.kubernetes.io/name: {{ include "isowhisk.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "isowhisk.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* One role's image: its own tag when set (for upgrades in order, docs/operations.md), else image.tag. */}}
{{- define "isowhisk.roleImage" -}}
{{- printf "%s:%s" .root.Values.image.repository (.tag | default .root.Values.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{- define "isowhisk.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "isowhisk.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "isowhisk.secretName" -}}
{{- default (include "isowhisk.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Whether the pods get ISOWHISK_REDIS_PASSWORD from the Secret. */}}
{{- define "isowhisk.redisPassword" -}}
{{- if or .Values.redis.password .Values.secrets.existingSecret -}}true{{- end -}}
{{- end -}}

{{/* The public URL of the API: explicit, else the API Ingress's host, else the in-cluster Service. */}}
{{- define "isowhisk.apiHost" -}}
{{- if .Values.apiHost -}}
{{- .Values.apiHost | trimSuffix "/" -}}
{{- else if .Values.ingress.api.enabled -}}
{{- printf "%s://%s" (ternary "https" "http" (gt (len .Values.ingress.api.tls) 0)) .Values.ingress.api.host -}}
{{- else -}}
{{- printf "http://%s-controller.%s.svc:%v" (include "isowhisk.fullname" .) .Release.Namespace .Values.controllers.service.apiPort -}}
{{- end -}}
{{- end -}}

{{/* The web actions' public base URL, another origin than the API's. */}}
{{- define "isowhisk.webUrl" -}}
{{- if .Values.webUrl -}}
{{- .Values.webUrl | trimSuffix "/" -}}
{{- else if .Values.ingress.web.enabled -}}
{{- printf "%s://%s" (ternary "https" "http" (gt (len .Values.ingress.web.tls) 0)) .Values.ingress.web.host -}}
{{- else -}}
{{- printf "http://%s-web.%s.svc:%v" (include "isowhisk.fullname" .) .Release.Namespace .Values.controllers.service.webPort -}}
{{- end -}}
{{- end -}}

{{/* ISOWHISK_CONTROLLER_COUNT: the most controllers that may run at once. */}}
{{- define "isowhisk.controllerCount" -}}
{{- if .Values.controllers.autoscaling.enabled -}}
{{- .Values.controllers.autoscaling.maxReplicas -}}
{{- else -}}
{{- .Values.controllers.replicas -}}
{{- end -}}
{{- end -}}

{{/* Checks the values the processes would otherwise refuse at start, so a bad install fails at once. */}}
{{- define "isowhisk.validate" -}}
{{- $mode := .Values.redis.mode -}}
{{- if not (has $mode (list "standalone" "sentinel" "cluster")) -}}
{{- fail (printf "redis.mode must be standalone, sentinel or cluster, got %q" $mode) -}}
{{- end -}}
{{- if and (eq $mode "standalone") (not .Values.redis.url) -}}
{{- fail "redis.mode standalone needs redis.url" -}}
{{- end -}}
{{- if and (eq $mode "sentinel") (or (empty .Values.redis.sentinels) (not .Values.redis.sentinelName)) -}}
{{- fail "redis.mode sentinel needs redis.sentinels (host:port list) and redis.sentinelName" -}}
{{- end -}}
{{- if and (eq $mode "cluster") (empty .Values.redis.clusterNodes) -}}
{{- fail "redis.mode cluster needs redis.clusterNodes (host:port list)" -}}
{{- end -}}
{{- if empty .Values.kafka.brokers -}}
{{- fail "kafka.brokers needs at least one host:port" -}}
{{- end -}}
{{- if lt (int .Values.invokers.terminationGracePeriodSeconds) 310 -}}
{{- fail (printf "invokers.terminationGracePeriodSeconds must be at least 310 (the longest action time limit, 300 s, plus the drain's 10 s margin), got %v" .Values.invokers.terminationGracePeriodSeconds) -}}
{{- end -}}
{{- if eq (include "isowhisk.apiHost" .) (include "isowhisk.webUrl" .) -}}
{{- fail "the web actions' URL must be another origin than the API's (ingress.web.host apart from ingress.api.host)" -}}
{{- end -}}
{{- end -}}

{{/* ConfigMap checksum, so a configuration change rolls the pods. */}}
{{- define "isowhisk.configChecksum" -}}
{{- include (print .Template.BasePath "/configmap.yaml") . | sha256sum -}}
{{- end -}}

{{/* The Redis password, when there is one: both roles read it. */}}
{{- define "isowhisk.redisPasswordEnv" -}}
{{- if include "isowhisk.redisPassword" . }}
- name: ISOWHISK_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "isowhisk.secretName" . }}
      key: ISOWHISK_REDIS_PASSWORD
      optional: {{ not .Values.redis.password }}
{{- end }}
{{- end -}}

{{/* Probes on GET /ping of a named port: (dict "port" "http-api" "probe" .Values.controllers.readinessProbe). */}}
{{- define "isowhisk.pingProbe" -}}
httpGet:
  path: /ping
  port: {{ .port }}
{{- toYaml .probe | nindent 0 }}
{{- end -}}

{{/* `KEY: value` maps as env entries (values quoted: env values are strings). */}}
{{- define "isowhisk.envMap" -}}
{{- range $k, $v := . }}
- name: {{ $k }}
  value: {{ $v | toString | quote }}
{{- end }}
{{- end -}}
