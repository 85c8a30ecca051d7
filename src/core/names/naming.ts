// Names from the metadata or an ADF folder are data. Each system a name reaches has its own rules
// (ADF artifacts, SQL Server, Unity Catalog and Delta, file and folder names, connection strings);
// these functions say, for one system, why a name cannot be used there (undefined when it can).
// Messages quote the name cut short (see excerpt): a name may be megabytes of hostile text.
import { excerpt } from '../text/excerpt';

/** C0 and C1 control characters, DEL, and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function controlProblem(name: string, what: string): string | undefined {
  const match = CONTROL.exec(name);
  if (!match) return undefined;
  const code = match[0].charCodeAt(0);
  const shown =
    code === 10
      ? 'a line break'
      : code === 13
        ? 'a carriage return'
        : code === 9
          ? 'a tab'
          : `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `${what} '${excerpt(name)}' contains ${shown}`;
}

export type AdfArtifactType =
  | 'pipeline'
  | 'dataset'
  | 'linkedService'
  | 'dataflow'
  | 'trigger'
  | 'integrationRuntime'
  | 'factory'
  | 'credential'
  | 'managedVirtualNetwork'
  | 'managedPrivateEndpoint'
  | 'globalParameter';

const ADF_FORBIDDEN = /[<>*#.%&:\\+?/]/;
const ADF_NOUN: Record<AdfArtifactType, string> = {
  pipeline: 'pipeline',
  dataset: 'dataset',
  linkedService: 'linked service',
  dataflow: 'data flow',
  trigger: 'trigger',
  integrationRuntime: 'integration runtime',
  factory: 'data factory',
  credential: 'credential',
  managedVirtualNetwork: 'managed virtual network',
  managedPrivateEndpoint: 'managed private endpoint',
  globalParameter: 'global parameter',
};

/**
 * Data Factory's naming rules (learn.microsoft.com/azure/data-factory/naming-rules and the ARM
 * limits of Microsoft.DataFactory): 1-260 characters, none of < > * # . % & : \ + ? / and no
 * control characters, starting with a letter, digit or underscore; integration runtimes and
 * factories: letters, digits and single dashes. (The documentation also forbids dashes in linked
 * services, datasets and data flows, but the service accepts them: real published factories have
 * them, so they are not reported.)
 */
export function adfNameProblem(name: string, type: AdfArtifactType): string | undefined {
  const noun = ADF_NOUN[type];
  if (name.length === 0) return `A ${noun} name cannot be empty`;
  if (type === 'integrationRuntime' || type === 'factory') {
    const [min, max] = type === 'factory' ? [3, 63] : [3, 63];
    if (name.length < min || name.length > max)
      return `The ${noun} name '${excerpt(name)}' has ${name.length} characters; Data Factory allows ${min} to ${max}`;
    if (!/^[A-Za-z0-9](?:-?[A-Za-z0-9])*$/.test(name))
      return `The ${noun} name '${excerpt(name)}' may hold only letters, digits and single dashes between them (Data Factory's rule)`;
    return undefined;
  }
  if (name.length > 260)
    return `The ${noun} name '${excerpt(name)}' has ${name.length} characters; Data Factory allows 260`;
  const control = controlProblem(name, `The ${noun} name`);
  if (control) return control;
  const forbidden = ADF_FORBIDDEN.exec(name);
  if (forbidden)
    return `The ${noun} name '${excerpt(name)}' contains '${forbidden[0]}', which Data Factory does not allow in names (none of . + ? / < > * % & : \\ #)`;
  if (!/^[\p{L}\p{N}_]/u.test(name))
    return `The ${noun} name '${excerpt(name)}' must start with a letter, a digit or an underscore`;
  return undefined;
}

/**
 * A SQL Server identifier (a schema, table or column of a source): 1-128 characters, no control
 * characters. Anything else is allowed, because we always write it delimited ([...] with ]]).
 */
export function sqlIdentifierProblem(name: string, what: string): string | undefined {
  if (name.trim().length === 0) return `${capitalize(what)} cannot be empty or blank`;
  if (name.length > 128)
    return `${capitalize(what)} '${excerpt(name)}' has ${name.length} characters; SQL Server allows 128`;
  return controlProblem(name, capitalize(what));
}

/** Windows and ADLS refuse these in file and folder names; a Databricks workspace path cannot hold them either. */
const FILE_FORBIDDEN = /[\\/:*?"<>|]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** A name that becomes a file or folder name (a notebook, a lake folder, an ADF JSON file). */
export function fileNameProblem(name: string, what: string): string | undefined {
  if (name.length === 0) return `${capitalize(what)} cannot be empty`;
  if (name === '.' || name === '..') return `${capitalize(what)} '${name}' would name the current or parent folder`;
  if (name.length > 200)
    return `${capitalize(what)} '${excerpt(name)}' has ${name.length} characters; as a file name it must stay under 200`;
  const control = controlProblem(name, capitalize(what));
  if (control) return control;
  const forbidden = FILE_FORBIDDEN.exec(name);
  if (forbidden)
    return `${capitalize(what)} '${excerpt(name)}' contains '${forbidden[0]}', which cannot be in a file or folder name (none of \\ / : * ? " < > |)`;
  if (/[. ]$/.test(name))
    return `${capitalize(what)} '${excerpt(name)}' ends with '${name.slice(-1)}', which Windows and ADLS drop from file names`;
  if (WINDOWS_RESERVED.test(name)) return `${capitalize(what)} '${excerpt(name)}' is a reserved device name on Windows`;
  return undefined;
}

/**
 * A Unity Catalog object name (catalog, schema, table): at most 255 characters, without period,
 * space, forward slash, control characters or DEL (docs.databricks.com, "Names").
 */
export function unityCatalogNameProblem(name: string, what: string): string | undefined {
  if (name.length === 0) return `${capitalize(what)} cannot be empty`;
  if (name.length > 255)
    return `${capitalize(what)} '${excerpt(name)}' has ${name.length} characters; Unity Catalog allows 255`;
  const control = controlProblem(name, capitalize(what));
  if (control) return control;
  const forbidden = /[. /]/.exec(name);
  if (forbidden)
    return (
      `${capitalize(what)} '${excerpt(name)}' contains ` +
      `${forbidden[0] === ' ' ? 'a space' : `'${forbidden[0]}'`}, which Unity Catalog does not ` +
      `allow in names`
    );
  return undefined;
}

/** Delta Lake refuses these in column names unless column mapping is enabled on the table. */
const DELTA_COLUMN_FORBIDDEN = /[ ,;{}()=\n\t]/;

export function deltaColumnProblem(name: string): string | undefined {
  const forbidden = DELTA_COLUMN_FORBIDDEN.exec(name);
  if (!forbidden) return undefined;
  const shown =
    forbidden[0] === ' '
      ? 'a space'
      : forbidden[0] === '\n'
        ? 'a line break'
        : forbidden[0] === '\t'
          ? 'a tab'
          : `'${forbidden[0]}'`;
  return (
    `Column '${excerpt(name)}' contains ${shown}: a Delta table refuses it unless column ` +
    `mapping is enabled ('delta.columnMapping.mode' = 'name'), so the silver write fails`
  );
}

/** A host name for a connection string (optionally tcp: and ,port); nothing that could add a key. */
export function sqlServerProblem(server: string): string | undefined {
  if (!/^(tcp:)?[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(\\[A-Za-z0-9_$-]{1,16})?(,\d{1,5})?$/.test(server)) {
    return (
      `Server '${excerpt(server)}' is not a host name (e.g. sql-spotify.database.windows.net, ` +
      `optionally tcp:…,1433); it is written into a connection string, where ';' or '=' would ` +
      `add settings`
    );
  }
  return undefined;
}

/** A database name for a connection string: a SQL identifier without the connection-string separators. */
export function sqlDatabaseProblem(database: string): string | undefined {
  const identifier = sqlIdentifierProblem(database, 'database name');
  if (identifier) return identifier;
  const separator = /[;={}'"]/.exec(database);
  if (separator)
    return (
      `Database name '${excerpt(database)}' contains '${separator[0]}': it is written into a ` +
      `connection string, where it would add or change settings (a user, a password)`
    );
  return undefined;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
