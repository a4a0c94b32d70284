# METADATA
# title: Scan parameters
# description: |
#   The scan parameters as the scan supplies them in input.params: the
#   config file and flags over the defaults, which live in one place, the
#   Go settings (rules.DefaultSettings, rules.Params).
package sascan.lib.params

params := input.params

mode := object.get(input, "mode", "manifest")

live if mode == "cluster"

kube_minor := params.kubeVersion.minor

version_known if params.kubeVersion.known == true

# P05 and P18: before 1.35 `get` on pods/exec, attach and portforward is
# enough to open a stream. Explicit setting wins over the version.
pre135_exec_get if params.pre135ExecGetIsDangerous == true

pre135_exec_get if {
	not is_boolean(object.get(params, "pre135ExecGetIsDangerous", null))
	kube_minor < 35
}

now_ns := params.now_ns

# The scan holds every object of the cluster (live, or --corpus-complete):
# what is absent does not exist.
corpus_complete if live

corpus_complete if params.corpusComplete == true

# The scan holds every object of every namespace: complete, and neither a
# live namespace filter (-n, --exclude-namespace) nor a list the scan was
# refused left any namespace out.
whole_cluster if {
	corpus_complete
	not params.namespaceFilter
}

# The scan holds every object of namespace ns: what is absent there does
# not exist. A verdict on the absence of an object checks this for the
# object's namespace ("" for cluster-scoped objects, always listed).
complete_in(_) if whole_cluster

complete_in(ns) if {
	corpus_complete
	_listed(params.namespaceFilter, ns)
}

_listed(f, "") if not "*" in object.get(f, "unlisted", [])

_listed(f, ns) if {
	count(object.get(f, "include", [])) == 0
	_kept(f, ns)
}

_listed(f, ns) if {
	ns in f.include
	_kept(f, ns)
}

# Not excluded, and every list of the namespace (or cluster-wide) worked.
_kept(f, ns) if {
	not ns in object.get(f, "exclude", [])
	not ns in object.get(f, "unlisted", [])
	not "*" in object.get(f, "unlisted", [])
}
