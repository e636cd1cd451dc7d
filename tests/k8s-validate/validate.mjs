// Validates Kubernetes manifests against their API schemas, offline: `kubectl kustomize DIR | node validate.mjs`
// (or `node validate.mjs FILE...`). Every object must be of a kind known here — the built-in APIs (kubernetes-models),
// KEDA's (@kubernetes-models/keda) and the Prometheus operator's (@kubernetes-models/prometheus-operator) — and
// valid; any other kind is an error, never passed over. Exit code 1 when any object fails, one line per failure.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const packages = {
  "keda.sh": "@kubernetes-models/keda/keda.sh",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator/monitoring.coreos.com",
};

async function modelOf(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const module = group === "" ? `kubernetes-models/${version}` : `${packages[group] ?? `kubernetes-models/${group}`}/${version}`;
  try {
    return (await import(module))[kind];
  } catch {
    return undefined;
  }
}

const text = process.argv.length > 2 ? process.argv.slice(2).map((f) => readFileSync(f, "utf8")).join("\n---\n") : readFileSync(0, "utf8");
const failures = [];
let checked = 0;
for (const document of parseAllDocuments(text)) {
  if (document.errors.length > 0) {
    failures.push(`YAML: ${document.errors[0].message}`);
    continue;
  }
  const object = document.toJS();
  if (object == null) continue;
  const name = `${object.kind ?? "?"} ${object.metadata?.name ?? "?"} (${object.apiVersion ?? "no apiVersion"})`;
  const Model = object.apiVersion && object.kind ? await modelOf(object.apiVersion, object.kind) : undefined;
  if (typeof Model !== "function") {
    failures.push(`${name}: no schema known for this kind`);
    continue;
  }
  try {
    new Model(object).validate();
    checked++;
  } catch (error) {
    const details = error.errors?.map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ") ?? error.message;
    failures.push(`${name}: ${details}`);
  }
}

for (const failure of failures) console.error(failure);
console.log(`${checked} objects valid, ${failures.length} invalid`);
process.exit(failures.length > 0 || checked === 0 ? 1 : 0);
