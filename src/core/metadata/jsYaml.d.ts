// The few parts of js-yaml 4 that fastYaml.ts uses (the package ships no type declarations).
declare module 'js-yaml' {
  export interface TypeOptions {
    kind: 'scalar' | 'sequence' | 'mapping';
    resolve?: (data: unknown) => boolean;
    construct?: (data: unknown) => unknown;
  }
  export class Type {
    constructor(tag: string, options: TypeOptions);
  }
  export class Schema {
    constructor(definition: { implicit?: Type[]; explicit?: Type[] });
  }
  export interface LoaderState {
    input: string;
    position: number;
    kind: string | null;
    tag: string | null;
    anchor: string | null;
    result: unknown;
    anchorMap: Record<string, unknown>;
  }
  export interface LoadOptions {
    schema?: Schema;
    json?: boolean;
    maxDepth?: number;
    listener?: (this: LoaderState, event: 'open' | 'close', state: LoaderState) => void;
  }
  export const CORE_SCHEMA: Schema;
  export function load(text: string, options?: LoadOptions): unknown;
}
