// Validates custom resources against their CRD schemas (kubernetes-models' compiled validators).
// stdin: a JSON list of objects; stdout: a JSON list, one entry each: null (valid) or the error.
// A kind with no schema here is an error, never a pass.
import { readFileSync } from "node:fs";

const MODELS = {
  "external-secrets.io/v1/ExternalSecret": "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret",
  "external-secrets.io/v1/SecretStore": "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore",
  "gateway.networking.k8s.io/v1/Gateway": "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway",
  "gateway.networking.k8s.io/v1/GatewayClass": "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass",
  "gateway.networking.k8s.io/v1/HTTPRoute": "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute",
  "cert-manager.io/v1/ClusterIssuer": "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer",
  "cert-manager.io/v1/Issuer": "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer",
  "cert-manager.io/v1/Certificate": "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate",
};

const docs = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const doc of docs) {
  const key = `${doc.apiVersion}/${doc.kind}`;
  if (!(key in MODELS)) {
    results.push(`no CRD schema for ${key}`);
    continue;
  }
  const module = await import(MODELS[key]);
  try {
    new module[doc.kind](doc).validate();
    results.push(null);
  } catch (error) {
    results.push(String(error.message || error));
  }
}
process.stdout.write(JSON.stringify(results));
