// What an artifact refers to: every object anywhere in its JSON with a string `referenceName` names
// another artifact (linkedServiceName, a dataset's or an activity's, pipelineReference in Execute
// Pipeline and in triggers, an integration runtime's connectVia, a credential, the Key Vault linked
// service in an AzureKeyVaultSecret's `store`, a data flow, a tumbling-window trigger it depends on).
// The reference's `type` says the kind; when it has none, the key it sits under does.
import type { DeployKind } from './artifacts';

export interface ArtifactReference {
  kind: DeployKind;
  name: string;
  /** Where in the JSON, e.g. properties.activities[2].inputs[0]. */
  at: string;
}

const KIND_OF_REFERENCE_TYPE: Record<string, DeployKind> = {
  linkedservicereference: 'linkedService',
  datasetreference: 'dataset',
  pipelinereference: 'pipeline',
  dataflowreference: 'dataflow',
  integrationruntimereference: 'integrationRuntime',
  credentialreference: 'credential',
  triggerreference: 'trigger',
};

/** Keys whose reference objects have no `type` in some hand-written files. */
const KIND_OF_KEY: Record<string, DeployKind> = {
  linkedservicename: 'linkedService',
  store: 'linkedService',
  dataset: 'dataset',
  inputs: 'dataset',
  outputs: 'dataset',
  pipelinereference: 'pipeline',
  pipeline: 'pipeline',
  connectvia: 'integrationRuntime',
  credential: 'credential',
  dataflow: 'dataflow',
  flowlet: 'dataflow',
  referencetrigger: 'trigger',
};

/**
 * The artifacts a value refers to, each once per place. References to what a factory does not hold
 * as an artifact (a Synapse notebook or Spark pool, a managed virtual network) are not returned.
 */
export function referencesOf(value: unknown): ArtifactReference[] {
  const found: ArtifactReference[] = [];
  const visit = (node: unknown, key: string, at: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, key, `${at}[${i}]`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (typeof obj.referenceName === 'string' && obj.referenceName !== '') {
      const type = typeof obj.type === 'string' ? obj.type.toLowerCase() : undefined;
      const kind = type !== undefined ? KIND_OF_REFERENCE_TYPE[type] : KIND_OF_KEY[key.toLowerCase()];
      if (kind) found.push({ kind, name: obj.referenceName, at });
    }
    for (const [k, v] of Object.entries(obj))
      if (v !== null && typeof v === 'object') visit(v, k, at ? `${at}.${k}` : k);
  };
  visit(value, '', '');
  return found;
}
