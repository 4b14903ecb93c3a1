# tflint for infra/: the bundled Terraform language ruleset, every rule. The AWS ruleset
# (tflint-ruleset-aws) is added by the GitHub workflow, which can download plugins; see docs/infra.md.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
