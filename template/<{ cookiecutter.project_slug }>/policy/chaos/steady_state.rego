# METADATA
# title: Every chaos experiment states its steady state in terms of the SLO
# description: >-
#   A LitmusChaos ChaosEngine carries, for each experiment, a Prometheus probe (promProbe) that
#   runs Continuous or Edge and queries an SLO series (slo:... from sloth or the route:...
#   recording rules), so the experiment's verdict is the SLO's and a failing hypothesis stops it.
# custom:
#   id: CHS-001
#   severity: deny
#   scope: file
#   kinds: []
#   remediation: >-
#     Add a promProbe on slo:sli_error:ratio_rate5m (or a route:... latency rule) with a comparator
#     to the experiment's spec.probe, as chaos/pod-kill.yaml does.
package chaos_steady_state

import data.lib.kubernetes as k8s

_slo_probe(probe) if {
	probe.type == "promProbe"
	probe.mode in {"Continuous", "Edge"}
	query := probe["promProbe/inputs"].query
	regex.match(`(^|[^a-z_:])(slo|route):[a-z_:0-9]+`, query)
	probe["promProbe/inputs"].comparator.criteria
}

deny contains k8s.msg("CHS-001", engine, sprintf("experiment %s has no Continuous or Edge promProbe on an SLO series; state its steady state", [experiment.name])) if {
	some engine in k8s.objects
	engine.kind == "ChaosEngine"
	startswith(engine.apiVersion, "litmuschaos.io/")
	some experiment in engine.spec.experiments
	count({p | some p in object.get(experiment, ["spec", "probe"], []); _slo_probe(p)}) == 0
}
