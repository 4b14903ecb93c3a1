# METADATA
# title: Elevated access is just-in-time and time-bound
# description: >-
#   A RoleBinding that gives a person elevated access (any binding to a User, or a Group bound to
#   an operator, deployer, admin or edit role) is a just-in-time grant: it is labelled
#   access.pavedroad.io/jit=true (so the cleanup CronJob finds it), states a reason or ticket,
#   and expires (access.pavedroad.io/expires-at, RFC 3339) in the future, at most max_hours after
#   it was granted (access.pavedroad.io/granted-at) and after now.
# custom:
#   id: ACC-004
#   severity: deny
#   scope: object
#   kinds: [rbac.authorization.k8s.io/RoleBinding]
#   remediation: >-
#     Grant elevated access with `make grant-access USER=... ROLE=operator HOURS=4 REASON=...`
#     (scripts/grant_access.py), which writes these annotations; standing access is the viewer
#     Role bound to IdP groups.
package access_jit_expiry

import data.lib.kubernetes as k8s

# The longest grant, in hours (scripts/grant_access.py enforces the same maximum).
max_hours := 8

_max_ns := ((max_hours * 60) * 60) * 1000000000

_prefix := "access.pavedroad.io/"

deny contains k8s.msg("ACC-004", rb, sprintf("grants elevated access (%s) without the annotation %sexpires-at; grant it with `make grant-access`", [_grant(rb), _prefix])) if {
	some rb in _elevated
	not _annotation(rb, "expires-at")
}

deny contains k8s.msg("ACC-004", rb, sprintf("%sexpires-at %q is not an RFC 3339 time (2026-01-31T18:00:00Z)", [_prefix, value])) if {
	some rb in _elevated
	value := _annotation(rb, "expires-at")
	not _time(value)
}

deny contains k8s.msg("ACC-004", rb, sprintf("expired at %s; delete it (the cleanup CronJob does) or grant again", [value])) if {
	some rb in _elevated
	value := _annotation(rb, "expires-at")
	_time(value) <= time.now_ns()
}

deny contains k8s.msg("ACC-004", rb, sprintf("expires at %s, more than %d hours from now; the maximum grant is %d hours", [value, max_hours, max_hours])) if {
	some rb in _elevated
	value := _annotation(rb, "expires-at")
	_time(value) - time.now_ns() > _max_ns
}

deny contains k8s.msg("ACC-004", rb, sprintf("lasts from %s to %s, more than the maximum %d hours", [granted, expires, max_hours])) if {
	some rb in _elevated
	expires := _annotation(rb, "expires-at")
	granted := _annotation(rb, "granted-at")
	_time(expires) - _time(granted) > _max_ns
}

deny contains k8s.msg("ACC-004", rb, sprintf("grants elevated access without %sgranted-at (RFC 3339)", [_prefix])) if {
	some rb in _elevated
	not _time(_annotation(rb, "granted-at"))
}

deny contains k8s.msg("ACC-004", rb, sprintf("grants elevated access without a reason or ticket (%sreason, %sticket)", [_prefix, _prefix])) if {
	some rb in _elevated
	not _annotation(rb, "reason")
	not _annotation(rb, "ticket")
}

deny contains k8s.msg("ACC-004", rb, sprintf("grants elevated access but is not labelled %sjit=true, so the cleanup CronJob would never delete it", [_prefix])) if {
	some rb in _elevated
	object.get(rb.metadata, ["labels", "access.pavedroad.io/jit"], "") != "true"
}

# RoleBindings that give a person elevated access.
_elevated contains rb if {
	some rb in k8s.objects
	rb.kind == "RoleBinding"
	_person_elevated(rb)
}

_person_elevated(rb) if {
	some s in object.get(rb, "subjects", [])
	s.kind == "User"
}

_person_elevated(rb) if {
	some s in object.get(rb, "subjects", [])
	s.kind == "Group"
	_elevated_role(rb.roleRef.name)
}

_elevated_role(name) if endswith(name, "-operator")

_elevated_role(name) if endswith(name, "-deployer")

_elevated_role(name) if name in {"admin", "edit", "cluster-admin"}

_grant(rb) := concat(", ", [sprintf("%s:%s", [s.kind, s.name]) | some s in rb.subjects])

_annotation(rb, key) := value if {
	value := rb.metadata.annotations[concat("", [_prefix, key])]
	value != ""
}

_time(value) := time.parse_rfc3339_ns(value)
