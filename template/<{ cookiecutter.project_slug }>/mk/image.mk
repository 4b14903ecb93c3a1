# The container image: lint the Dockerfile, build it and report its size.
IMAGE ?= <{ cookiecutter.container_registry }>/<{ cookiecutter.project_slug }>
IMAGE_TAG ?= dev
CONTAINER_CLI ?= docker

.PHONY: lint-dockerfile image image-size
lint-dockerfile: ## Lint the Dockerfile (hadolint; every ignore carries its reason)
	hadolint $(call SUPPRESS,hadolint) Dockerfile

image: ## Build the image (pip reads the index from a pip.conf passed as a build secret)
	$(CONTAINER_CLI) build $(if $(PIP_CONF),--secret id=pip.conf$(comma)src=$(PIP_CONF)) -t $(IMAGE):$(IMAGE_TAG) .

image-size: ## Print the uncompressed size of the built image
	@$(CONTAINER_CLI) image inspect --format '{{.Size}}' $(IMAGE):$(IMAGE_TAG) \
		| awk '{ printf "%s:%s %.1f MB\n", "$(IMAGE)", "$(IMAGE_TAG)", $$1 / 1000000 }'

comma := ,
CI_CHECKS += lint-dockerfile
