import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import rootSchema from '../../../schemas/lakehouse.schema.json';
import fragmentSchema from '../../../schemas/lakehouse-fragment.schema.json';

export type MetadataFileKind = 'root' | 'fragment';

export { rootSchema, fragmentSchema };

let validators: Record<MetadataFileKind, ValidateFunction> | undefined;

/** Compiled once per process; compiling is the expensive part of ajv. */
function getValidators(): Record<MetadataFileKind, ValidateFunction> {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
    ajv.addSchema(rootSchema, 'lakehouse.schema.json');
    ajv.addSchema(fragmentSchema, 'lakehouse-fragment.schema.json');
    validators = {
      root: ajv.getSchema('lakehouse.schema.json') as ValidateFunction,
      fragment: ajv.getSchema('lakehouse-fragment.schema.json') as ValidateFunction,
    };
  }
  return validators;
}

export function validateAgainstSchema(kind: MetadataFileKind, value: unknown): ErrorObject[] {
  const validate = getValidators()[kind];
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/** Splits an ajv instancePath (JSON pointer) into segments, numbers for array indexes. */
export function pointerSegments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map(s => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}
