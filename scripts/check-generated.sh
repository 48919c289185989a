#!/usr/bin/env bash
# Runs `cfn generate` on a copy of the project and fails if models.py or a generated doc differs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/.rpdk-config" "$root/schema.json" "$root/requirements.txt" "$root/template.yml" "$work/"
ln -s schema.json "$work/mare-dynamodb-streamtrigger.json"
mkdir -p "$work/src/mare_dynamodb_streamtrigger"
(cd "$work" && "$root/.venv/bin/cfn" generate >/dev/null)
status=0
# cfn generate writes the execution role on "*"; scripts/execution_role.py writes the scoped one.
"$root/.venv/bin/python" "$root/scripts/execution_role.py" --check || status=1
# The CDK's CfnStreamTrigger is written from schema.json too.
"$root/.venv/bin/python" "$root/scripts/generate_cdk.py" --check || status=1
diff -u "$root/src/mare_dynamodb_streamtrigger/models.py" "$work/src/mare_dynamodb_streamtrigger/models.py" || status=1
for generated in "$work"/docs/*; do
  diff -u "$root/docs/$(basename "$generated")" "$generated" || status=1
done
if [ "$status" -ne 0 ]; then
  echo "Generated files are stale: run 'make generate' (it keeps the guides in docs/) and commit the result." >&2
fi
exit "$status"
