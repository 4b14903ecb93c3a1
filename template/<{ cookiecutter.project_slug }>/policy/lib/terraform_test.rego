package lib.terraform_test

import data.lib.terraform as tf

_doc := {
	"resource": {"aws_vpc": {"this": [{"cidr_block": "10.0.0.0/16"}]}},
	"module": {"db": [{"source": "../../modules/database/"}]},
	"terraform": [{"backend": {"s3": [{"encrypt": true}]}}],
}

test_reads_a_single_file if {
	count(tf.resources) == 1 with input as _doc
	count(tf.backends) == 1 with input as _doc
}

test_reads_combined_files_with_their_paths if {
	some r in tf.resources with input as [{"path": "infra/envs/prod/main.tf", "contents": _doc}]
	r.path == "infra/envs/prod/main.tf"
	tf.environment(r.path) == "prod"
}

test_ignores_kubernetes_documents if {
	count(tf.documents) == 0 with input as [{"path": "a.yaml", "contents": {"apiVersion": "v1", "kind": "ConfigMap", "data": {"module": "x"}}}]
}

test_module_kind_ignores_trailing_slash if {
	some call in tf.modules with input as _doc
	tf.module_kind(call) == "database"
}

test_blocks_include_dynamic_content if {
	body := {"statement": [{"sid": "a"}], "dynamic": {"statement": [{"content": [{"sid": "b"}]}]}}
	{s.sid | some s in tf.blocks(body, "statement")} == {"a", "b"}
}

test_messages_name_rule_block_and_file if {
	tf.msg("TFM-000", {"type": "aws_vpc", "name": "this", "path": "main.tf"}, "fix it") == "[TFM-000] aws_vpc.this (main.tf): fix it"
	tf.msg("TFM-000", {"type": "aws_vpc", "name": "this", "path": ""}, "fix it") == "[TFM-000] aws_vpc.this: fix it"
}
