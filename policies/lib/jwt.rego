# METADATA
# title: ServiceAccount JWT classification
# description: |
#   Tells legacy (Secret-based) from bound (TokenRequest) ServiceAccount
#   tokens without verifying signatures. Evidence built here
#   holds decoded claims only, never the token or its signature.
package sascan.lib.jwt

import data.sascan.lib.params

jwt_pattern := `^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$`

legacy_issuer := "kubernetes/serviceaccount"

# decode returns {"header": h, "payload": p} for a JWT candidate: three
# base64url segments whose first two are JSON objects, the header with alg.
decode(s) := {"header": h, "payload": p} if {
	t := trim_space(s)
	regex.match(jwt_pattern, t)
	parts := split(t, ".")
	h := json.unmarshal(_b64url(parts[0]))
	p := json.unmarshal(_b64url(parts[1]))
	is_object(h)
	is_object(p)
	h.alg
}

_b64url(seg) := base64url.decode(concat("", [seg, _padding[count(seg) % 4]]))

_padding := {0: "", 2: "==", 3: "="}

candidate(s) if decode(s)

class(p) := "LEGACY" if {
	p.iss == legacy_issuer
} else := "LEGACY" if {
	some key, _ in p
	startswith(key, "kubernetes.io/serviceaccount/")
} else := "BOUND" if {
	ki := p["kubernetes.io"]
	is_object(ki)
	ki.serviceaccount
	ki.namespace
	is_number(p.exp)
} else := "SA_OTHER" if {
	startswith(p.sub, "system:serviceaccount:")
} else := "NOT_SA"

# The ServiceAccount the private claims name.
claimed_sa(p) := {"namespace": p["kubernetes.io/serviceaccount/namespace"], "name": p["kubernetes.io/serviceaccount/service-account.name"]} if {
	class(p) == "LEGACY"
} else := {"namespace": p["kubernetes.io"].namespace, "name": p["kubernetes.io"].serviceaccount.name} if {
	class(p) == "BOUND"
}

bound_to(p) := "pod" if p["kubernetes.io"].pod

else := "secret" if p["kubernetes.io"].secret

else := "node" if p["kubernetes.io"].node

else := "none"

# Evidence: claims that explain the finding, nothing that authenticates.
evidence(p) := object.union(_base(p), _extra(p))

_base(p) := object.union(
	{k: v |
		some k in ["iss", "sub", "aud"]
		v := p[k]
	},
	{"class": class(p), "hasExp": is_number(object.get(p, "exp", null)), "hasJti": _has(p, "jti")},
)

_has(obj, key) if _ = obj[key]

default _has(_, _) := false

_extra(p) := e if {
	class(p) == "BOUND"
	now := params.now_ns / 1000000000
	e := {
		"boundTo": bound_to(p),
		"extended": _has_warnafter(p),
		"ttlSeconds": p.exp - object.get(p, "iat", p.exp),
		"remainingSeconds": p.exp - now,
		"expired": p.exp <= now,
		"exp": time.format(p.exp * 1000000000),
		"serviceAccount": sprintf("%s/%s", [claimed_sa(p).namespace, claimed_sa(p).name]),
		"subMatches": _sub_matches(p),
	}
} else := e if {
	class(p) == "LEGACY"
	e := {
		"serviceAccount": sprintf("%s/%s", [claimed_sa(p).namespace, claimed_sa(p).name]),
		"subMatches": _sub_matches(p),
	}
} else := {}

_has_warnafter(p) if p["kubernetes.io"].warnafter

default _has_warnafter(_) := false

_sub_matches(p) := p.sub == sprintf("system:serviceaccount:%s:%s", [claimed_sa(p).namespace, claimed_sa(p).name])

# A string that looks like base64 of text, decoded (standard alphabet,
# padding optional). Used for Secret data and ConfigMap binaryData.
b64decode(s) := base64.decode(s) if base64.is_valid(s)

# decoded_levels returns the value and up to two levels of base64 decoding
# (a double-encoded JWT starts with ZXlK, the base64 of "eyJ").
decoded_levels(s) := ({s} | {d | d := _d1(s)}) | {d | d := _d2(s)}

_d1(s) := b64decode(trim_space(s))

_d2(s) := b64decode(trim_space(_d1(s)))
