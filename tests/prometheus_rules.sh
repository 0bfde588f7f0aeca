#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The shipped Prometheus alert rules (docs/prometheus/) are valid, and each
# alert fires on a series that should fire it, after its "for", and not
# before: promtool check rules, then promtool test rules on
# voxrelay.rules.test.yml.
#
# Usage: prometheus_rules.sh SOURCE_DIR
set -euo pipefail

cd "${1:?usage: prometheus_rules.sh SOURCE_DIR}/docs/prometheus"
command -v promtool >/dev/null || { echo "FAIL: promtool is missing: run scripts/setup.sh"; exit 1; }
promtool check rules voxrelay.rules.yml
promtool test rules voxrelay.rules.test.yml
n=$(grep -c '^      - alert:' voxrelay.rules.yml)
tested=$(grep -o 'alertname: [A-Za-z]*' voxrelay.rules.test.yml | sort -u | wc -l)
[ "$n" = "$tested" ] || { echo "FAIL: $n alerts, $tested of them tested"; exit 1; }
echo "prometheus rules: $n alerts, each tested"
