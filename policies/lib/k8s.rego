# METADATA
# title: Kubernetes object model
# description: |
#   Lookups over the inventory (objects by kind and key), pod specs with their
#   effective ServiceAccount, effective automount and the
#   token-bearing mounts of each container, mirror and static pods.
package sascan.lib.k8s

import data.sascan.lib.params

default_token_path := "/var/run/secrets/kubernetes.io/serviceaccount"

sa_token_secret_type := "kubernetes.io/service-account-token"

sa_name_annotation := "kubernetes.io/service-account.name"

sa_uid_annotation := "kubernetes.io/service-account.uid"

key(ns, name) := sprintf("%s/%s", [ns, name])

# An object as a person names it: "Kind ns/name", or "Kind name" when
# cluster-scoped.
display(o) := sprintf("%s %s", [o.kind, key(o.namespace, o.name)]) if o.namespace != ""

else := sprintf("%s %s", [o.kind, o.name])

annotations(obj) := object.get(obj.object, ["metadata", "annotations"], {})

labels(obj) := object.get(obj.object, ["metadata", "labels"], {})

# Objects that the user supplied or the cluster returned (not the implicit
# default ServiceAccounts nor the bundled bootstrap roles).
observed(obj) if obj.origin in {"manifest", "cluster"}

# objects returns the inventory objects of a kind (any API group) from the
# kind index the input carries, so no rule scans every object.
objects(kind) := object.get(input, ["kinds", kind], [])

# Objects in which a JWT could be found: those with a string that contains
# "eyJ" as written, base64-decoded once or twice, or inside a JSON document
# held in a string. The input's tokenCandidates index names them (a
# prefilter computed while the input is built); without it, every object.
token_candidate_ids := {id | some id in input.tokenCandidates} if {
	is_array(input.tokenCandidates)
} else := {o.id | some o in input.objects}

# The pod specs of the token candidates, from the input's
# tokenCandidateSpecs (indexes in podSpecs); without it, those of
# token_candidate_ids.
token_candidate_specs := [input.podSpecs[i] | some i in input.tokenCandidateSpecs] if {
	is_array(input.tokenCandidateSpecs)
} else := [ps | some ps in pod_specs; ps.obj.id in token_candidate_ids]

token_candidates(kind) := [o |
	some id in token_candidate_ids
	o := input.objects[id]
	o.kind == kind
]

# Lookups by "namespace/name" ("/name" for a cluster-scoped object), from
# the index the input carries. When the input defines the same object twice
# the inventory marks all but the last as shadowed, as `kubectl apply` of
# the files in order would leave only the last, and only the last is there.
_index(kind, group) := object.get(input, ["index", kind, group], {})

service_accounts := _index("ServiceAccount", "")

secrets := _index("Secret", "")

services := _index("Service", "")

roles := _index("Role", "rbac.authorization.k8s.io")

cluster_roles := {o.name: o | some o in _index("ClusterRole", "rbac.authorization.k8s.io")}

namespaces := {o.name: o | some o in _index("Namespace", "")}

token_secrets := {k: s | some k, s in secrets; s.object.type == sa_token_secret_type}

# True when the corpus carries ServiceAccount or RBAC objects of its own, so
# that the absence of a binding means something (rules.md SA016: M+); live,
# when every namespace was listed (a RoleBinding anywhere may grant an
# account permissions).
default rbac_observed := false

rbac_observed if params.whole_cluster

rbac_observed if {
	not params.live
	some kind in ["ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]
	some o in objects(kind)
	observed(o)
}

# Pod specs as the scanner's access model resolved them:
# {obj, spec, path, meta, sa, saKey, static, automount, containers,
# tokenContainers, autoTokenContainers, injectedVolumes, secretRefs, host,
# exposure}. Who a pod spec runs as, its effective automount, whether it is
# a static pod, which containers hold the token (auto: mounted by the
# admission plugin; projected: a projected token volume of its own), what of
# its node it reaches and which Services select its pods are Kubernetes'
# mechanics, decided once in Go.
pod_specs := input.podSpecs

# serviceAccountName, then the deprecated alias, then "default".
sa_name(spec) := n if {
	n := spec.serviceAccountName
	is_string(n)
	n != ""
} else := n if {
	n := spec.serviceAccount
	is_string(n)
	n != ""
} else := "default"

pod_sa_key(ps) := key(ps.obj.namespace, sa_name(ps.spec))

pod_sa(ps) := service_accounts[pod_sa_key(ps)]

# Every container of a pod spec (init, regular, ephemeral) with its field
# path, as the inventory located them.
all_containers(ps) := ps.containers

# Annotation-based suppression keys and other per-object metadata are read
# by the engine; rules only decide.

# Names of the Secrets a pod spec references through volumes, projected
# secret sources, env and envFrom of any container (the inventory's
# secretRefs).
referenced_secrets(ps) := {r.secret | some r in ps.secretRefs}

# The Secrets ("namespace/name") that some pod spec references, computed
# once, so that asking about one Secret does not walk every pod spec.
referenced_secret_keys := {key(ps.obj.namespace, r.secret) |
	some ps in pod_specs
	some r in ps.secretRefs
}

# The projected token sources the pod specs that run with a credential
# (not static) declare themselves (the admission-injected volume left out),
# as [pod spec, {volume index, source index, volume, token}]: found in Go
# (input.projectedTokens), computed once for the rules that judge them.
projected_tokens := [[ps, src] |
	some [i, vi, si] in input.projectedTokens
	ps := pod_specs[i]
	v := ps.spec.volumes[vi]
	src := {"volume": vi, "source": si, "vol": v, "token": v.projected.sources[si].serviceAccountToken}
]

# Mount paths of a volume across all containers.
mount_paths(ps, volume_name) := {m.mountPath |
	some x in all_containers(ps)
	some m in object.get(x.c, "volumeMounts", [])
	m.name == volume_name
}

# ServiceAccounts of the built-in controllers (system:controller:<name>).
controller_service_accounts := {
	"attachdetach-controller", "certificate-controller", "clusterrole-aggregation-controller",
	"cronjob-controller", "daemon-set-controller", "deployment-controller", "disruption-controller",
	"endpoint-controller", "endpointslice-controller", "endpointslicemirroring-controller",
	"ephemeral-volume-controller", "expand-controller", "generic-garbage-collector",
	"horizontal-pod-autoscaler", "job-controller", "legacy-service-account-token-cleaner",
	"namespace-controller", "node-controller", "persistent-volume-binder", "pod-garbage-collector",
	"pv-protection-controller", "pvc-protection-controller", "replicaset-controller",
	"replication-controller", "resourcequota-controller", "root-ca-cert-publisher",
	"route-controller", "service-account-controller", "service-controller",
	"statefulset-controller", "token-cleaner", "ttl-after-finished-controller", "ttl-controller",
	"bootstrap-signer", "validatingadmissionpolicy-status-controller", "selinux-warning-controller",
	"service-cidrs-controller", "volumeattributesclass-protection-controller",
}

# a token Secret is auto-generated iff bi-directionally referenced:
# its annotation names an existing ServiceAccount (UIDs agreeing when the
# annotation carries one) whose .secrets lists it. Otherwise it is manual.
auto_generated(s) if {
	k := key(s.namespace, object.get(annotations(s), sa_name_annotation, ""))
	sa := service_accounts[k]
	sa.origin != "implicit"
	[k, s.name] in _listed_secrets
	_uid_agrees(s, sa)
}

# [ServiceAccount key, Secret name] for each Secret an account's .secrets
# lists, computed once: an account that lists thousands is not read again
# for each of its Secrets.
_listed_secrets := {[k, ref.name] |
	some k, sa in service_accounts
	some ref in object.get(sa.object, "secrets", [])
}

_uid_agrees(s, _) if object.get(annotations(s), sa_uid_annotation, "") == ""

_uid_agrees(s, sa) if {
	uid := annotations(s)[sa_uid_annotation]
	uid == object.get(sa.object, ["metadata", "uid"], uid)
}

token_classification(s) := "auto-generated" if auto_generated(s)

else := "manual"

# objects_by_key returns the object of a core kind at "namespace/name",
# from the index built once per kind.
objects_by_key(kind, k) := _index(kind, "")[k]

last_used_label := "kubernetes.io/legacy-token-last-used"

invalid_since_label := "kubernetes.io/legacy-token-invalid-since"
