{{/* Chart name, overridable with nameOverride. */}}
{{- define "ndi-mesh.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Release-wide name prefix: the release name, followed by the chart name unless the release
name already contains it. Object names are limited to 63 characters (DNS labels).
*/}}
{{- define "ndi-mesh.fullname" -}}
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

{{- define "ndi-mesh.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of one service's objects. Argument: dict "root" $ "name" <service>. */}}
{{- define "ndi-mesh.componentName" -}}
{{- printf "%s-%s" (include "ndi-mesh.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Argument: dict "root" $ "name" <service>, or "name" "" for release-wide objects. */}}
{{- define "ndi-mesh.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ndi-mesh.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .name }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{- define "ndi-mesh.labels" -}}
helm.sh/chart: {{ include "ndi-mesh.chart" .root }}
{{ include "ndi-mesh.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: ndi-mesh
{{- end }}

{{/*
The enabled services, each merged over serviceDefaults, as YAML (name: settings); read it
with `include "ndi-mesh.services" . | fromYaml`. mergeOverwrite does not let a zero value
replace a default, so replicas (where 0 means something) is copied over explicitly.
*/}}
{{- define "ndi-mesh.services" -}}
{{- $enabled := dict }}
{{- range $name, $entry := .Values.services }}
{{- if $entry.enabled }}
{{- $svc := mergeOverwrite (deepCopy $.Values.serviceDefaults) (deepCopy $entry) }}
{{- if hasKey $entry "replicas" }}
{{- $_ := set $svc "replicas" $entry.replicas }}
{{- end }}
{{- if and (eq $svc.keys.source "pvc") (gt (int $svc.replicas) 1) }}
{{- fail (printf "services.%s: keys.source pvc holds one replica's keys; use keys.source secret for %v replicas" $name $svc.replicas) }}
{{- end }}
{{- $_ := set $enabled $name $svc }}
{{- end }}
{{- end }}
{{- toYaml $enabled }}
{{- end }}

{{/* Argument: dict "root" $ "name" <service> "svc" <merged settings>. */}}
{{- define "ndi-mesh.image" -}}
{{- $repository := .svc.image.repository | default .root.Values.image.repository }}
{{- $tag := .svc.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}

{{/* BASE_URL: the configured public URL, else the Service's in-cluster URL. */}}
{{- define "ndi-mesh.baseUrl" -}}
{{- if .svc.baseUrl }}
{{- .svc.baseUrl }}
{{- else }}
{{- printf "http://%s.%s.svc:%v" (include "ndi-mesh.componentName" .) .root.Release.Namespace .svc.port }}
{{- end }}
{{- end }}

{{- define "ndi-mesh.keysSecretName" -}}
{{- .svc.keys.existingSecret | default (printf "%s-keys" (include "ndi-mesh.componentName" .)) }}
{{- end }}

{{/* Entity id of the trust anchor: federation.anchor, else the federation service's own URL. */}}
{{- define "ndi-mesh.anchor" -}}
{{- if .Values.federation.anchor }}
{{- .Values.federation.anchor }}
{{- else }}
{{- $fed := mustMergeOverwrite (deepCopy .Values.serviceDefaults) (deepCopy (index .Values.services "federation")) }}
{{- include "ndi-mesh.baseUrl" (dict "root" . "name" "federation" "svc" $fed) }}
{{- end }}
{{- end }}
