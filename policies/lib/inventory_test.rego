# Builders for Rego unit tests: objects as they appear in manifests, and the
# input the scanner builds from them.
package sascan.lib.inventory_test

# inv builds an input document from manifest objects with the scanner's
# own normalization and access model (sascan.test.inventory, a builtin the
# Go test runner provides): ids are list indexes, implicit default
# ServiceAccounts follow them. "_origin" marks an object as "builtin" or
# "implicit".
inv(objs) := inv_with(objs, {})

# inv_with also sets params (merged over the normative defaults); "_mode":
# "cluster" builds a live inventory.
inv_with(objs, params) := sascan.test.inventory(objs, params)

# rule is PolicyRule r as the access model normalizes it.
rule(r) := sascan.test.inventory([cluster_role("rule", [r])], {}).access.roles["ClusterRole/rule"].rules[0]

# Common objects.
sa(ns, name) := {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}}

implicit_default(ns) := {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}, "_origin": "implicit"}

pod(ns, name, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns}, "spec": spec}

deployment(ns, name, spec) := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
	"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": spec}},
}

container(name) := {"name": name, "image": "nginx"}

role(ns, name, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": name, "namespace": ns}, "rules": rules}

cluster_role(name, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name}, "rules": rules}

role_binding(ns, name, ref_kind, ref_name, subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": name, "namespace": ns},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": ref_kind, "name": ref_name}, "subjects": subjects,
}

cluster_role_binding(name, ref_name, subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": name},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": ref_name}, "subjects": subjects,
}

sa_subject(name) := {"kind": "ServiceAccount", "name": name}

token_secret(ns, name, sa_name) := {
	"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
	"metadata": {"name": name, "namespace": ns, "annotations": {"kubernetes.io/service-account.name": sa_name}},
}

# Bundled roles that matter in tests (the scanner adds the full snapshot).
cluster_admin := object.union(cluster_role("cluster-admin", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]), {"_origin": "builtin"})

view := object.union(cluster_role("view", []), {
	"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}}]},
	"_origin": "builtin",
})

aggregate_to_view := object.union(cluster_role("system:aggregate-to-view", [{"apiGroups": [""], "resources": ["pods", "configmaps"], "verbs": ["get", "list", "watch"]}]), {
	"metadata": {"name": "system:aggregate-to-view", "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
	"_origin": "builtin",
})

edit := object.union(cluster_role("edit", []), {
	"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-edit": "true"}}]},
	"metadata": {"name": "edit", "labels": {"rbac.authorization.k8s.io/aggregate-to-admin": "true"}},
	"_origin": "builtin",
})

aggregate_to_edit := object.union(
	cluster_role("system:aggregate-to-edit", [
		{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]},
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "delete", "patch", "update"]},
	]),
	{
		"metadata": {"name": "system:aggregate-to-edit", "labels": {"rbac.authorization.k8s.io/aggregate-to-edit": "true"}},
		"_origin": "builtin",
	},
)

builtins := [cluster_admin, view, aggregate_to_view, edit, aggregate_to_edit]

# Test JWTs of rules.md (unsigned; dummy signature).
legacy_jwt := "eyJhbGciOiJSUzI1NiIsImtpZCI6IkFiQ2RFZjAxMjMifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwia3ViZXJuZXRlcy5pby9zZXJ2aWNlYWNjb3VudC9uYW1lc3BhY2UiOiJjaSIsImt1YmVybmV0ZXMuaW8vc2VydmljZWFjY291bnQvc2VjcmV0Lm5hbWUiOiJkZXBsb3llci10b2tlbiIsImt1YmVybmV0ZXMuaW8vc2VydmljZWFjY291bnQvc2VydmljZS1hY2NvdW50Lm5hbWUiOiJkZXBsb3llciIsImt1YmVybmV0ZXMuaW8vc2VydmljZWFjY291bnQvc2VydmljZS1hY2NvdW50LnVpZCI6IjNmMWMyYTllLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMSIsInN1YiI6InN5c3RlbTpzZXJ2aWNlYWNjb3VudDpjaTpkZXBsb3llciJ9.bm90LWEtcmVhbC1zaWduYXR1cmUtanVzdC10ZXN0LXZlY3Rvci1ieXRlcy0wMDAwMDA"

bound_jwt := "eyJhbGciOiJSUzI1NiIsImtpZCI6IkFiQ2RFZjAxMjMifQ.eyJhdWQiOlsiaHR0cHM6Ly9rdWJlcm5ldGVzLmRlZmF1bHQuc3ZjLmNsdXN0ZXIubG9jYWwiXSwiZXhwIjoxNzY3MjI5MjA3LCJpYXQiOjE3MzU2OTMyMDcsImlzcyI6Imh0dHBzOi8va3ViZXJuZXRlcy5kZWZhdWx0LnN2Yy5jbHVzdGVyLmxvY2FsIiwianRpIjoiN2VlNTJiZTAtOTA0NS00NjUzLWFhNWUtMGRhNTdiOGRjY2RjIiwia3ViZXJuZXRlcy5pbyI6eyJuYW1lc3BhY2UiOiJjaSIsIm5vZGUiOnsibmFtZSI6Im5vZGUtMSIsInVpZCI6IjQ5N2U5ZDlhLTQ3YWEtNDkzMC1iMGY2LTlmMmZiNTc0YzhjNiJ9LCJwb2QiOnsibmFtZSI6ImFwcC03ZDlmIiwidWlkIjoiZTg3ZGJiZDYtM2Q3ZS00NWRiLWFhZmItNzJiMjQ2MjdkZmY1In0sInNlcnZpY2VhY2NvdW50Ijp7Im5hbWUiOiJkZXBsb3llciIsInVpZCI6IjNmMWMyYTllLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMSJ9LCJ3YXJuYWZ0ZXIiOjE3MzU2OTY4MTR9LCJuYmYiOjE3MzU2OTMyMDcsInN1YiI6InN5c3RlbTpzZXJ2aWNlYWNjb3VudDpjaTpkZXBsb3llciJ9.bm90LWEtcmVhbC1zaWduYXR1cmUtanVzdC10ZXN0LXZlY3Rvci1ieXRlcy0wMDAwMDA"

# control-plane input with pre-parsed flags: name -> [values].
apiserver(flags) := component("kube-apiserver", flags)

controller_manager(flags) := component("kube-controller-manager", flags)

component(comp, flags) := {
	"mode": "manifest",
	"params": sascan.test.inventory([], {}).params,
	"objects": [{
		"id": 0, "apiVersion": "v1", "group": "", "kind": "Pod", "namespace": "kube-system", "name": comp,
		"origin": "manifest", "owners": [],
		"object": {"metadata": {"name": comp, "namespace": "kube-system", "labels": {"component": comp, "tier": "control-plane"}}},
	}],
	"podSpecs": [],
	"controlPlanes": [{"object": 0, "component": comp, "path": "spec.containers[0]", "flags": {name: occ |
		some name, vals in flags
		occ := [{"value": v, "bare": false, "path": sprintf("spec.containers[0].command[%d]", [i + 1])} | some i, v in vals]
	}}],
}

# Audit events (audit.k8s.io/v1, level Metadata) as kube-apiserver writes
# them; inv_with(objs, {"_audit": [events]}) reads them with the ledger.
event(user, at) := {
	"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "stage": "ResponseComplete",
	"verb": "get", "requestURI": "/version", "user": {"username": user}, "sourceIPs": ["10.0.0.1"],
	"userAgent": "client/1.0", "requestReceivedTimestamp": at, "annotations": {"authorization.k8s.io/decision": "allow"},
}

sa_event(ns, name, at) := event(sprintf("system:serviceaccount:%s:%s", [ns, name]), at)

# A request of a ServiceAccount with the legacy token of Secret secret.
legacy_event(ns, name, secret, at) := object.union(sa_event(ns, name, at), {"annotations": {
	"authentication.k8s.io/legacy-token": sprintf("system:serviceaccount:%s:%s", [ns, name]),
	"authentication.k8s.io/legacy-token-manual-secret": secret,
}})

# ev as a resource request.
resource_request(ev, verb, group, resource, ns) := object.union(ev, {
	"verb": verb, "requestURI": "/apis/x",
	"objectRef": {"apiGroup": group, "resource": resource, "namespace": ns},
})

# The window every audit test shares: the first and last events, by a user.
window := [event("admin", "2026-06-30T00:00:00Z"), event("admin", "2026-06-30T12:00:00Z")]
