# METADATA
# title: Token lifetimes and audiences
# description: |
#   Lifetime semantics of projected ServiceAccount tokens and TokenRequests:
#   the 3600 s default, the validation bounds, the 3607 s
#   value that triggers the one-year extension, and what counts as an API
#   server audience.
package sascan.lib.tokens

import data.sascan.lib.flags

default_expiration := 3600

extension_trigger := 3607

min_expiration := 600

max_expiration := 4294967296 # 2^32 s

expiration(token) := e if {
	e := token.expirationSeconds
	is_number(e)
} else := default_expiration

# Validation rejects these; the object can never be created.
invalid_expiration(e) if e < min_expiration

invalid_expiration(e) if e > max_expiration

# Audiences the API server accepts: --api-audiences, else the issuers, of
# any observed apiserver; the in-cluster service URL by convention.
api_audiences contains a if {
	some cp in flags.apiservers
	some a in flags.values(cp, "api-audiences")
}

api_audiences contains a if {
	some cp in flags.apiservers
	count(flags.values(cp, "api-audiences")) == 0
	some a in flags.values(cp, "service-account-issuer")
}

api_audience("") := true

api_audience(a) if a in api_audiences

api_audience(a) if startswith(a, "https://kubernetes.default.svc")

api_audience(a) if a in {"kubernetes", "api"}

audience(token) := a if {
	a := token.audience
	is_string(a)
} else := ""
