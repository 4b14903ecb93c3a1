package prod_manual_sync_test

import data.prod_manual_sync

app(env, policy) := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": sprintf("svc-%s", [env]), "labels": {"pavedroad.io/environment": env}}, "spec": {
	"source": {"path": "charts/svc", "helm": {"valueFiles": [sprintf("values-%s.yaml", [env])]}},
	"syncPolicy": policy,
}}

automated := {"automated": {"prune": true, "selfHeal": true}}

test_allows_manual_prod if {
	count(prod_manual_sync.deny) == 0 with input as app("prod", {"syncOptions": ["CreateNamespace=true"]})
}

test_allows_automated_staging if {
	count(prod_manual_sync.deny) == 0 with input as app("staging", automated)
}

test_denies_automated_prod if {
	messages := prod_manual_sync.deny with input as app("prod", automated)
	messages == {"[GIT-001] Application/svc-prod: a prod Application must not sync automatically; remove spec.syncPolicy.automated and sync after the approved promotion"}
}

# An unlabelled Application that deploys the prod values is prod too.
test_denies_automated_prod_values if {
	unlabelled := json.remove(app("prod", automated), ["metadata/labels"])
	count(prod_manual_sync.deny) == 1 with input as unlabelled
}
